output "bucket_name" {
  description = "Name of the state bucket."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.bucket.bucket_arn
}

output "lock_table_name" {
  description = "Name of the lock table, or null when the backend locks with S3 lock files only."
  value       = try(aws_dynamodb_table.lock[0].name, null)
}

output "lock_table_arn" {
  description = "ARN of the lock table, or null when the backend locks with S3 lock files only."
  value       = try(aws_dynamodb_table.lock[0].arn, null)
}
