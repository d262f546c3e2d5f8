output "bucket_name" {
  description = "Name of the private bucket holding the site's files."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the site bucket."
  value       = module.bucket.bucket_arn
}

output "distribution_id" {
  description = "Id of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "CloudFront domain name of the distribution (d123.cloudfront.net)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "site_url" {
  description = "HTTPS URL of the site: the first custom host name, else the CloudFront domain."
  value       = "https://${try(var.domain.aliases[0], aws_cloudfront_distribution.this.domain_name)}"
}

output "certificate_arn" {
  description = "ARN of the us-east-1 certificate serving the custom domain (null without one)."
  value       = local.certificate_arn
}

output "edge_function_qualified_arn" {
  description = "Versioned ARN of the sign-in Lambda@Edge function (null when edge_auth is off)."
  value       = try(aws_lambda_function.edge[0].qualified_arn, null)
}

output "logs_bucket_name" {
  description = "Bucket receiving CloudFront access logs (null when access_logs is off)."
  value       = try(module.logs_bucket[0].bucket_name, null)
}
