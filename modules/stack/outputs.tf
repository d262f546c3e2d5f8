output "table_name" {
  description = "Name of the app's DynamoDB table."
  value       = module.table.table_name
}

output "table_arn" {
  description = "ARN of the app's DynamoDB table."
  value       = module.table.table_arn
}

output "artifacts_bucket_name" {
  description = "Name of the bucket holding the Lambda packages."
  value       = aws_s3_bucket.artifacts.id
}

output "function_names" {
  description = "Deployed function name by function (as in lambda_src/functions.toml)."
  value = {
    api_public = module.api_public_function.function_name
  }
}
