output "bucket_name" {
  description = "Name of the uploads bucket."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the uploads bucket."
  value       = module.bucket.bucket_arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the uploads bucket."
  value       = module.bucket.bucket_regional_domain_name
}
