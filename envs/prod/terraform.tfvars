env                     = "prod"
data_protection_enabled = true
log_retention_days      = 30
site                    = { enabled = true }
# Add the on-call addresses alerts are mailed to (each confirms by e-mail).
monitoring = {
  alarms_enabled               = true
  alert_emails                 = []
  error_metric_filters_enabled = true
}
