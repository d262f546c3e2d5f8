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

  # No default_tags here: the emulator drops or echoes them on several resource
  # types (SES identities, launch templates), which would show as changes on
  # every plan. Real environments tag everything through default_tags.
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

  # No default_tags here: the emulator drops or echoes them on several resource
  # types (SES identities, launch templates), which would show as changes on
  # every plan. Real environments tag everything through default_tags.
}
