env                = "local"
emulator           = true
log_retention_days = 1
