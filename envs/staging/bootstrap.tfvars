# Settings of 'make bootstrap ENV=staging' beyond the state backend names (which
# come from backend.hcl). Uncomment `github` to also create the GitHub Actions
# deploy role of this env; see docs/delivery.md.
#
# github = {
#   repository = "my-org/parley" # owner/name of your repository
#   # Only runs of the "staging" GitHub environment may deploy (manual dispatch).
#   # Same AWS account as dev? Its bootstrap already created the OIDC provider:
#   create_oidc_provider = false
# }
