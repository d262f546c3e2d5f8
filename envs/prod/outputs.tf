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
output "websocket_url" {
  description = "WebSocket URL clients connect to (append ?token=<Cognito JWT>)."
  value       = module.stack.websocket_url
}
output "websocket_management_endpoint" {
  description = "Endpoint the functions post WebSocket frames to."
  value       = module.stack.websocket_management_endpoint
}
output "schedule_group_name" {
  description = "Scheduler schedule group holding the app's schedules."
  value       = module.stack.schedule_group_name
}
output "schedules_dead_letter_queue_url" {
  description = "Queue holding undeliverable scheduled events and failed scheduled runs."
  value       = module.stack.schedules_dead_letter_queue_url
}
