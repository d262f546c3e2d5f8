# Creates the state bucket and lock table of one environment, from the names in
# envs/<env>/backend.hcl (`make bootstrap ENV=<env>` passes them). Its own state
# is local: .parley/bootstrap/<env>.tfstate, which `make bootstrap` prints.

terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
  backend "local" {}
}

provider "aws" {
  region = var.region

  # The emulator takes any keys and has no STS or metadata service.
  access_key                  = var.emulator ? "test" : null
  secret_key                  = var.emulator ? "test" : null
  s3_use_path_style           = var.emulator
  skip_credentials_validation = var.emulator
  skip_requesting_account_id  = var.emulator
  skip_metadata_api_check     = var.emulator

  default_tags {
    tags = { App = "parley", Env = var.env, ManagedBy = "terraform", Purpose = "terraform-state" }
  }
}

module "state_backend" {
  source = "../modules/state_backend"

  bucket_name      = var.state_bucket_name
  lock_table_name  = var.lock_table_name
  force_destroy    = var.emulator
  tls_only_enabled = !var.emulator
}

# GitHub Actions deploy role of this env, the permissions boundary of the
# roles its stack creates (and, once per account, the OIDC provider), when
# envs/<env>/bootstrap.tfvars sets `github`.
data "aws_partition" "current" {}

data "aws_caller_identity" "current" {
  count = var.github != null && !try(var.github.create_oidc_provider, true) ? 1 : 0
}

locals {
  # The account's existing provider, when another env's bootstrap created it.
  existing_provider_arn = one([
    for account in data.aws_caller_identity.current[*].account_id :
    "arn:${data.aws_partition.current.partition}:iam::${account}:oidc-provider/token.actions.githubusercontent.com"
  ])
}

module "github_oidc" {
  source   = "../modules/github_oidc"
  for_each = var.github == null ? {} : { (var.env) = var.github }

  name_prefix   = each.value.app
  repository    = each.value.repository
  oidc_provider = { create = each.value.create_oidc_provider, arn = local.existing_provider_arn }
  # Names from the variables (not the module's outputs) keep the policy readable in plans.
  environments = {
    (each.key) = {
      region                     = coalesce(each.value.stack_region, var.region)
      state_bucket_name          = var.state_bucket_name
      lock_table_name            = var.lock_table_name
      github_environment         = each.value.github_environment
      branches                   = each.value.branches
      pull_request_plans_enabled = each.value.pull_request_plans_enabled
      hosted_zone_id             = each.value.hosted_zone_id
    }
  }
}
