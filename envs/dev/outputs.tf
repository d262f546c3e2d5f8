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

output "calls" {
  description = "Matchmaking topic and queues, media secret ARNs and media server addresses."
  value       = module.stack.calls
}

output "calls_function_names" {
  description = "Deployed function name by function, for the calls feature."
  value       = module.stack.calls_function_names
}

output "websocket_url" {
  description = "WebSocket URL clients connect to (append ?token=<Cognito JWT>)."
  value       = module.stack.websocket_url
}

output "websocket_management_endpoint" {
  description = "Endpoint the functions post WebSocket frames to."
  value       = module.stack.websocket_management_endpoint
}
