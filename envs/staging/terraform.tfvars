# Staging: prod's settings at a smaller size, deployed by hand (docs/stages.md).
env                     = "staging"
data_protection_enabled = true
log_retention_days      = 14

# Threat protection (advanced security) needs the Plus tier; as in prod.
auth = {
  user_pool_tier         = "PLUS"
  threat_protection_mode = "AUDIT"
}
cors_allowed_origins = ["https://staging.app.example.com"]
uploads              = { max_size_mb = 25, expire_after_days = 30 }

# Smaller than prod: lower API throttling, no EC2 media servers unless enabled.
api_throttling        = { burst_limit = 200, rate_limit = 100 }
media_servers_enabled = false

site = { enabled = true }

# Alarms need someone to alert (the plan is refused otherwise). CHANGE the
# example address; chat tools subscribe through alert_subscriptions
# (docs/monitoring.md).
monitoring = {
  alarms_enabled               = true
  alert_emails                 = ["change-me-oncall@example.com"]
  error_metric_filters_enabled = true
}

# App secrets the app's handlers read (the PlyDojo design's keys): declared
# here, values set outside Terraform, never in state or in this repository:
#   make secret ENV=staging NAME=openai_api_key < key.txt
app_secrets = {
  openai_api_key = { description = "OpenAI API key (AI tutoring)", readers = ["api"] }
  jwt_secret     = { description = "Signing key of the app's own tokens, 32+ random characters", readers = ["api"] }
  stripe_api_key = { description = "Stripe API key (subscriptions)", readers = ["api"] }
}
