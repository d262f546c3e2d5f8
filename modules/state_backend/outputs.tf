output "bucket_name" {
  description = "Name of the state bucket."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = module.bucket.bucket_arn
}

output "lock_table_name" {
  description = "Name of the lock table."
  value       = aws_dynamodb_table.lock.name
}

output "lock_table_arn" {
  description = "ARN of the lock table."
  value       = aws_dynamodb_table.lock.arn
}
