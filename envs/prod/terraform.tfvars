env                     = "prod"
data_protection_enabled = true
log_retention_days      = 30

# Media servers: set media_servers_enabled = true with your zones (and a pinned
# ami_id, or none to use the latest Amazon Linux 2023 from SSM) and a domain.
media_servers_enabled = false
media_servers = {
  availability_zones = ["us-east-1a", "us-east-1b"]
  livekit_domain     = ""
}
