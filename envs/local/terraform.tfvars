env                = "local"
emulator           = true
log_retention_days = 1
# The static site plans and applies on the emulator too (no headers policy,
# no edge sign-in there); switch it on to try 'make deploy-site' locally.
site = { enabled = false }
