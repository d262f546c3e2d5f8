# Identical in every environment (tests/static enforces it): environments differ
# only in terraform.tfvars, providers.tf and backend.hcl.

locals {
  name_prefix = "${var.app}-${var.env}"
}

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix             = local.name_prefix
  artifacts_dir           = var.artifacts_dir
  emulator                = var.emulator
  data_protection_enabled = var.data_protection_enabled
  log_retention_days      = var.log_retention_days
  function_overrides      = var.function_overrides
  monitoring              = var.monitoring
  site                    = var.site
  websocket               = var.websocket
}
