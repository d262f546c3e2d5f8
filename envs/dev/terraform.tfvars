env                = "dev"
log_retention_days = 7
site               = { enabled = true }
