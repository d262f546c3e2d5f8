# What clients and the tooling read from an environment ('make outputs').

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
output "user_pool_id" {
  description = "Cognito user pool ID (web and mobile clients need it)."
  value       = module.stack.user_pool_id
}
output "user_pool_client_id" {
  description = "Public app client ID for sign-in (web and mobile clients need it)."
  value       = module.stack.user_pool_client_id
}
output "user_pool_issuer_url" {
  description = "Issuer URL of the tokens; the signing keys are at <issuer>/.well-known/jwks.json."
  value       = module.stack.user_pool_issuer_url
}
output "hosted_ui_domain" {
  description = "Hosted UI domain for Google sign-in, or null when it is off."
  value       = module.stack.hosted_ui_domain
}
output "identity_pool_id" {
  description = "Identity pool ID for federated AWS access, or null when it is off."
  value       = module.stack.identity_pool_id
}
output "http_api_url" {
  description = "Invoke URL of the HTTP API."
  value       = module.stack.http_api_url
}
output "uploads_bucket_name" {
  description = "Bucket receiving uploads through presigned URLs."
  value       = module.stack.uploads_bucket_name
}
output "calls" {
  description = "Matchmaking topic and queues, media secret ARNs and media server addresses."
  value       = module.stack.calls
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
