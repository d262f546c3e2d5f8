env                = "dev"
log_retention_days = 7
