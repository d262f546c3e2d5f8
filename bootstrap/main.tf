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
