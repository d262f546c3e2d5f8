env                = "local"
emulator           = true
log_retention_days = 1
# The emulator's management API answers only at its root URL (make up's default port).
websocket = { management_endpoint = "http://127.0.0.1:4566" }

# The emulator runs the media servers for free, so the whole stack comes up.
media_servers_enabled = true
media_servers = {
  ami_id             = "ami-0e9271c829888680e" # an arm64 Amazon Linux image the emulator knows
  availability_zones = ["us-east-1a", "us-east-1b"]
}
