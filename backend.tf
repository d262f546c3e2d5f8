# The one backend block of every environment (each envs/<env>/backend.tf links
# here). Settings come from envs/<env>/backend.hcl at init:
#   terraform init -backend-config=backend.hcl
# State lives in S3 with a DynamoDB lock table, created by bootstrap/.
terraform {
  backend "s3" {}
}
