env                     = "prod"
data_protection_enabled = true
log_retention_days      = 30
cors_allowed_origins    = ["https://app.example.com"]
uploads                 = { max_size_mb = 25 }
