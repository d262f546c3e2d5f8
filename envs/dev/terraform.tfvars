env                  = "dev"
log_retention_days   = 7
cors_allowed_origins = ["http://localhost:3000", "https://dev.app.example.com"]
site                 = { enabled = true }

# No EC2 media servers in dev (cost); matchmaking and call tokens still work.
media_servers_enabled = false
