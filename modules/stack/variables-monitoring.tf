variable "monitoring" {
  description = "Alarms on or off (on in prod), who is alerted (e-mail addresses, and other subscribers of the alert topic by name: an https webhook such as AWS Chatbot's, a Lambda function or an SQS queue; alarms need at least one) and ERROR metric filters on function logs."
  type = object({
    alarms_enabled = optional(bool, false)
    alert_emails   = optional(list(string), [])
    alert_subscriptions = optional(map(object({
      protocol = string
      endpoint = string
    })), {})
    error_metric_filters_enabled = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = !var.monitoring.alarms_enabled || length(var.monitoring.alert_emails) + length(var.monitoring.alert_subscriptions) > 0
    error_message = "monitoring.alarms_enabled needs someone to alert: at least one monitoring.alert_emails address or monitoring.alert_subscriptions entry (see docs/monitoring.md)."
  }
}
