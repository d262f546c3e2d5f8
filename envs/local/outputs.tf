output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "table_name" {
  description = "Name of the app's DynamoDB table."
  value       = module.stack.table_name
}

output "artifacts_bucket_name" {
  description = "Bucket holding the Lambda packages."
  value       = module.stack.artifacts_bucket_name
}

output "function_names" {
  description = "Deployed function name by function."
  value       = module.stack.function_names
}

output "http_api_url" {
  description = "Invoke URL of the HTTP API."
  value       = module.stack.http_api_url
}

output "uploads_bucket_name" {
  description = "Bucket receiving uploads through presigned URLs."
  value       = module.stack.uploads_bucket_name
}

output "api_function_names" {
  description = "Deployed function name of the REST API functions."
  value       = module.stack.api_function_names
}
