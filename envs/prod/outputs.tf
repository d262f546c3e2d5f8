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

output "site_url" {
  description = "HTTPS URL of the web client (null when the site is off)."
  value       = module.stack.site_url
}

output "site_bucket_name" {
  description = "Bucket the built web client is published to by 'make deploy-site' (null when the site is off)."
  value       = module.stack.site_bucket_name
}

output "site_distribution_id" {
  description = "CloudFront distribution 'make deploy-site' invalidates (null when the site is off)."
  value       = module.stack.site_distribution_id
}

output "alert_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = module.stack.alert_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the stack."
  value       = module.stack.dashboard_name
}

output "websocket_url" {
  description = "WebSocket URL clients connect to (append ?token=<Cognito JWT>)."
  value       = module.stack.websocket_url
}

output "websocket_management_endpoint" {
  description = "Endpoint the functions post WebSocket frames to."
  value       = module.stack.websocket_management_endpoint
}
