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
