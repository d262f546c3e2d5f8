env                     = "prod"
data_protection_enabled = true
log_retention_days      = 30

# Compliance controls (modules/stack/variables-compliance.tf): log groups
# encrypted with a key of the stack's own, and only signed function code
# (make apply signs it with AWS Signer; see docs/delivery.md).
compliance = {
  log_encryption_enabled = true
  code_signing           = { enabled = true }
}

# Threat protection (advanced security) needs the Plus tier.
auth = {
  user_pool_tier         = "PLUS"
  threat_protection_mode = "ENFORCED"
}
cors_allowed_origins = ["https://app.example.com"]
uploads              = { max_size_mb = 25 }

# Media servers: set media_servers_enabled = true with your zones (and a pinned
# ami_id, or none to use the latest Amazon Linux 2023 from SSM) and a domain.
media_servers_enabled = false
media_servers = {
  availability_zones = ["us-east-1a", "us-east-1b"]
  livekit_domain     = ""
}

site = { enabled = true }

# Alarms need someone to alert (the plan is refused otherwise). CHANGE the
# example address to your on-call address(es); each confirms by e-mail. Chat
# or paging tools subscribe through alert_subscriptions (docs/monitoring.md).
monitoring = {
  alarms_enabled               = true
  alert_emails                 = ["change-me-oncall@example.com"]
  error_metric_filters_enabled = true
}

# App secrets the app's handlers read (the PlyDojo design's keys): declared
# here, values set outside Terraform, never in state or in this repository:
#   make secret ENV=prod NAME=openai_api_key < key.txt
# (docs/http-api.md, "App secrets").
app_secrets = {
  openai_api_key = { description = "OpenAI API key (AI tutoring)", readers = ["api"] }
  jwt_secret     = { description = "Signing key of the app's own tokens, 32+ random characters", readers = ["api"] }
  stripe_api_key = { description = "Stripe API key (subscriptions)", readers = ["api"] }
}
