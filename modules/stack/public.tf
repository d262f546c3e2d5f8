# Functions that serve unauthenticated requests.

module "api_public_function" {
  source = "../lambda_function"

  name               = "${var.name_prefix}-api-public"
  package            = local.packages["api_public"]
  runtime            = merge({ description = "Public HTTP routes: health, sign-in, public room view." }, lookup(local.runtime, "api_public", {}))
  environment        = merge(local.common_environment, local.auth_public_environment)
  log_retention_days = var.log_retention_days
  policy_statements = merge({
    table_read = local.table_read
  }, local.auth_public_statements)
}
