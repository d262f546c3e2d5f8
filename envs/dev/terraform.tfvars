env                = "dev"
log_retention_days = 7

# No EC2 media servers in dev (cost); matchmaking and call tokens still work.
media_servers_enabled = false
