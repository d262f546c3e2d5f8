# The local emulator (moto server). `make up` sets AWS_ENDPOINT_URL to it; the
# fixed fake keys mean a missing endpoint can never touch a real account.
provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  default_tags {
    tags = { App = var.app, Env = var.env, ManagedBy = "terraform" }
  }
}

# CloudFront certificates and Lambda@Edge functions live in us-east-1; on the
# emulator this is the same endpoint as above.
provider "aws" {
  alias                       = "us_east_1"
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  default_tags {
    tags = { App = var.app, Env = var.env, ManagedBy = "terraform" }
  }
}
