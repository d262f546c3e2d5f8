# Monitoring: the alert topic and dashboard always exist; alarms are switched
# on per environment (prod). Every feature lists what it deploys below, so a
# new function, API, queue or instance is watched by adding one map entry.

variable "monitoring" {
  description = "Alarms on or off (on in prod), the e-mail addresses alerts go to, and ERROR metric filters on function logs."
  type = object({
    alarms_enabled               = optional(bool, false)
    alert_emails                 = optional(list(string), [])
    error_metric_filters_enabled = optional(bool, false)
  })
  default  = {}
  nullable = false
}

locals {
  # Every deployed function, API, queue and media server of the stack.
  monitored_functions      = local.function_names
  monitored_http_apis      = { http = module.http_api.api_id }
  monitored_websocket_apis = { ws = module.websocket.api_id }
  monitored_work_queues = {
    match = { queue_name = element(split(":", module.matchmaking.queue_arn), 5), max_age_seconds = 300 }
  }
  monitored_dead_letter_queues = {
    match     = element(split(":", module.matchmaking.dlq_arn), 5)
    schedules = module.schedules.dead_letter_queue_name
  }
  # Instances are watched when they are single instances (not self-healing groups).
  monitored_instances = var.media_servers_enabled && !var.media_servers.self_healing_enabled ? {
    livekit = module.livekit[0].instance_id
    turn    = module.turn[0].instance_id
  } : {}
}

module "monitoring" {
  source = "../monitoring"

  name_prefix                  = var.name_prefix
  alarms_enabled               = var.monitoring.alarms_enabled
  alert_emails                 = var.monitoring.alert_emails
  error_metric_filters_enabled = var.monitoring.error_metric_filters_enabled
  watched = {
    functions          = local.monitored_functions
    http_apis          = local.monitored_http_apis
    websocket_apis     = local.monitored_websocket_apis
    tables             = { main = module.table.table_name }
    work_queues        = local.monitored_work_queues
    dead_letter_queues = local.monitored_dead_letter_queues
    instances          = local.monitored_instances
  }
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic alarms notify (subscribe more endpoints to it)."
  value       = module.monitoring.topic_arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the stack."
  value       = module.monitoring.dashboard_name
}

output "alarm_names" {
  description = "CloudWatch alarm name by alarm key (empty when alarms are off)."
  value       = module.monitoring.alarm_names
}
