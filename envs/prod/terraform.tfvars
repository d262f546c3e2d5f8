env                     = "prod"
data_protection_enabled = true
log_retention_days      = 30
