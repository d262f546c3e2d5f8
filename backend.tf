# The one backend block of every environment (each envs/<env>/backend.tf links
# here). Settings come from envs/<env>/backend.hcl at init:
#   terraform init -backend-config=backend.hcl
# State lives in S3, locked with a DynamoDB table or S3 lock files
# (use_lockfile = true); bootstrap/ creates them (docs/stages.md).
terraform {
  backend "s3" {}
}
