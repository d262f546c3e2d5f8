# Monitoring: the alert topic and dashboard always exist; alarms are switched
# on per environment (prod). Every function of the function map is watched;
# the other watched resources are listed here, so a new API, queue or
# instance is watched by adding one map entry.

module "monitoring" {
  source = "../monitoring"

  name_prefix                  = var.name_prefix
  alarms_enabled               = var.monitoring.alarms_enabled
  alert_emails                 = var.monitoring.alert_emails
  alert_subscriptions          = var.monitoring.alert_subscriptions
  error_metric_filters_enabled = var.monitoring.error_metric_filters_enabled
  watched = {
    functions      = local.function_names
    http_apis      = { http = module.http_api.api_id }
    websocket_apis = { ws = module.websocket.api_id }
    tables         = { main = module.table.table_name }
    work_queues = {
      match  = { queue_name = element(split(":", module.matchmaking.queue_arn), 5), max_age_seconds = 300 }
      fanout = { queue_name = module.websocket.fanout_queue_name, max_age_seconds = 60 }
    }
    dead_letter_queues = {
      match     = element(split(":", module.matchmaking.dlq_arn), 5)
      fanout    = module.websocket.fanout_dlq_name
      schedules = module.schedules.dead_letter_queue_name
    }
    # Instances are watched when they are single instances (not self-healing groups).
    instances = var.media_servers_enabled && !var.media_servers.self_healing_enabled ? {
      livekit = module.livekit[0].instance_id
      turn    = module.turn[0].instance_id
    } : {}
  }
}

# Near the day's new-account cap: the api_public function reports the day's
# count after each new account (embedded metric format, parley/handlers/public_auth.py).
resource "aws_cloudwatch_metric_alarm" "new_accounts" {
  count = var.monitoring.alarms_enabled ? 1 : 0

  alarm_name          = "${var.name_prefix}-new-accounts-near-cap"
  alarm_description   = "New accounts today reached ${var.auth.sign_in_limits.new_accounts_alarm_pct}% of the daily cap (${var.auth.sign_in_limits.new_accounts_per_day}); at the cap, unknown addresses get no account."
  namespace           = "parley"
  metric_name         = "NewAccountsToday"
  dimensions          = { service = "parley", stage = var.name_prefix }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = ceil(var.auth.sign_in_limits.new_accounts_per_day * var.auth.sign_in_limits.new_accounts_alarm_pct / 100)
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [module.monitoring.topic_arn]
  ok_actions          = [module.monitoring.topic_arn]
}
