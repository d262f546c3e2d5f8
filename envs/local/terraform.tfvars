env                  = "local"
emulator             = true
log_retention_days   = 1
cors_allowed_origins = ["http://localhost:3000", "http://localhost:5173"]
