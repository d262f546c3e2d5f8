env                  = "dev"
log_retention_days   = 7
cors_allowed_origins = ["http://localhost:3000", "https://dev.app.example.com"]
site                 = { enabled = true }

# No EC2 media servers in dev (cost); matchmaking and call tokens still work.
media_servers_enabled = false

# App secrets the app's handlers read (the PlyDojo design's keys): declared
# here, values set outside Terraform, never in state or in this repository:
#   make secret ENV=dev NAME=openai_api_key < key.txt
# (docs/http-api.md, "App secrets").
app_secrets = {
  openai_api_key = { description = "OpenAI API key (AI tutoring)", readers = ["api"] }
  jwt_secret     = { description = "Signing key of the app's own tokens, 32+ random characters", readers = ["api"] }
  stripe_api_key = { description = "Stripe API key (subscriptions)", readers = ["api"] }
}
