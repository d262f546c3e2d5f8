env                     = "prod"
data_protection_enabled = true
log_retention_days      = 30

# Threat protection (advanced security) needs the Plus tier.
auth = {
  user_pool_tier         = "PLUS"
  threat_protection_mode = "ENFORCED"
}
cors_allowed_origins = ["https://app.example.com"]
uploads              = { max_size_mb = 25 }
