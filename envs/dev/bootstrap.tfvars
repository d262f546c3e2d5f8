# Settings of 'make bootstrap ENV=dev' beyond the state backend names (which
# come from backend.hcl). Uncomment `github` to also create the GitHub Actions
# deploy role of this env; see docs/delivery.md.
#
# github = {
#   repository = "my-org/parley" # owner/name of your repository
#   # Runs allowed to assume the role: the "dev" GitHub environment (applies on
#   # main), plus pull request runs, which plan dev.
#   pull_request_plans_enabled = true
# }
