env                = "local"
emulator           = true
log_retention_days = 1
# The static site plans and applies on the emulator too (no headers policy,
# no edge sign-in there); switch it on to try 'make deploy-site' locally.
site = { enabled = false }
# The emulator's management API answers only at its root URL (make up's default port).
websocket = { management_endpoint = "http://127.0.0.1:4566" }
