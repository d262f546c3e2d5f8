provider "aws" {
  region = var.region

  default_tags {
    tags = { App = var.app, Env = var.env, ManagedBy = "terraform" }
  }
}

# CloudFront certificates and Lambda@Edge functions live in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = { App = var.app, Env = var.env, ManagedBy = "terraform" }
  }
}
