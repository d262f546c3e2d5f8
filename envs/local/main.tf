# Identical in every environment (tests/static enforces it): environments differ
# only in terraform.tfvars, providers.tf and backend.hcl.

locals {
  name_prefix = "${var.app}-${var.env}"

  # The media servers' AMI: pinned in tfvars, or the latest Amazon Linux 2023
  # (arm64) from the public SSM parameter, looked up only when needed.
  media_ami_id = var.media_servers.ami_id != null ? var.media_servers.ami_id : try(data.aws_ssm_parameter.media_ami[0].insecure_value, null)
}
data "aws_ssm_parameter" "media_ami" {
  count = var.media_servers_enabled && var.media_servers.ami_id == null ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
}
module "stack" {
  source = "../../modules/stack"

  name_prefix             = local.name_prefix
  artifacts_dir           = var.artifacts_dir
  emulator                = var.emulator
  emulator_endpoint       = var.emulator_endpoint
  local_gateway_endpoint  = var.local_gateway_endpoint
  data_protection_enabled = var.data_protection_enabled
  log_retention_days      = var.log_retention_days
  function_overrides      = var.function_overrides
  calls                   = var.calls
  media_servers_enabled   = var.media_servers_enabled
  media_servers           = merge(var.media_servers, { ami_id = local.media_ami_id })
  websocket               = var.websocket
  reminders               = var.reminders
  points_reset            = var.points_reset
  schedule_retry          = var.schedule_retry
  auth                    = var.auth
  google_client_secret    = var.google_client_secret
  cors_allowed_origins    = var.cors_allowed_origins
  api_throttling          = var.api_throttling
  api_custom_domain       = var.api_custom_domain
  uploads                 = var.uploads
  app_secrets             = var.app_secrets
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  monitoring = var.monitoring
  site       = var.site
}
