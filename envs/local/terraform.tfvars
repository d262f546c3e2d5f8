env                = "local"
emulator           = true
log_retention_days = 1
# http://127.0.0.1:4581 is the web client `make up` serves (PARLEY_SITE_PORT): it uploads to the bucket directly.
cors_allowed_origins = ["http://localhost:3000", "http://localhost:5173", "http://127.0.0.1:4581"]

# The emulator runs the media servers for free, so the whole stack comes up.
media_servers_enabled = true
media_servers = {
  ami_id             = "ami-0e9271c829888680e" # an arm64 Amazon Linux image the emulator knows
  availability_zones = ["us-east-1a", "us-east-1b"]
}

# The static site applies on the emulator too (without the headers policy and
# the edge sign-in, which it lacks), so 'make deploy-site' works locally.
site = { enabled = true }

# Both app presets, so the local stack (and its tests) serve every generated route.
app_declarations = ["../../apps/plydojo/app.json", "../../apps/kefir/app.json"]
# Every local client is 127.0.0.1: the per-IP sign-in limit would count them all together.
auth = { sign_in_limits = { per_source_ip = 1000 } }
