output "bucket_name" {
  description = "Name of the bucket (known at plan time)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket (a CloudFront origin)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "versioning_id" {
  description = "ID of the versioning configuration, or null when versioning is off (lifecycle rules that expire noncurrent versions wait for it)."
  value       = try(aws_s3_bucket_versioning.this[0].id, null)
}

output "bucket_domain_name" {
  description = "Global domain name of the bucket (<name>.s3.amazonaws.com), as CloudFront log delivery takes it."
  value       = aws_s3_bucket.this.bucket_domain_name
}
