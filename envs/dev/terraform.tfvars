env                  = "dev"
log_retention_days   = 7
cors_allowed_origins = ["http://localhost:3000", "https://dev.app.example.com"]
