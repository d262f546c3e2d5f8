terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
      # CloudFront certificates and Lambda@Edge functions live in us-east-1.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
