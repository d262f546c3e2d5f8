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
  value       = module.artifacts_bucket.bucket_name
}

output "function_names" {
  description = "Deployed function name by function (as in lambda_src/functions.toml)."
  value       = local.function_names
}

output "app_secret_arns" {
  description = "ARN of each app secret by name (values are set outside Terraform or generated write-only)."
  value       = { for name, s in aws_secretsmanager_secret.app : name => s.arn }
}

# --- sign-in -----------------------------------------------------------------

output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = module.cognito.user_pool_id
}

output "user_pool_client_id" {
  description = "ID of the public web/mobile app client (no secret)."
  value       = module.cognito.web_client_id
}

output "user_pool_issuer_url" {
  description = "Issuer of the pool's tokens (the iss claim); its JWKS is at <issuer>/.well-known/jwks.json."
  value       = module.cognito.user_pool_issuer_url
}

output "hosted_ui_domain" {
  description = "Hosted UI domain for Google sign-in (null when Google sign-in is off)."
  value       = module.cognito.hosted_ui_domain
}

output "identity_pool_id" {
  description = "ID of the identity pool for federated AWS access (null when off)."
  value       = module.cognito.identity_pool_id
}

# --- HTTP API ----------------------------------------------------------------

output "http_api_url" {
  description = "Invoke URL of the HTTP API."
  value       = module.http_api.api_endpoint
}

output "http_api_id" {
  description = "ID of the HTTP API."
  value       = module.http_api.api_id
}

output "http_api_custom_domain_url" {
  description = "URL of the HTTP API's custom domain, or null without one."
  value       = module.http_api.custom_domain_url
}

output "uploads_bucket_name" {
  description = "Name of the uploads bucket."
  value       = module.uploads.bucket_name
}

# --- WebSocket ---------------------------------------------------------------

output "websocket_url" {
  description = "WebSocket URL clients connect to (append ?token=<Cognito access or id token>)."
  value       = module.websocket.websocket_url
}

output "websocket_management_endpoint" {
  description = "Endpoint functions post frames to (the local runtime's @connections API locally)."
  value       = local.ws_management_endpoint
}

output "websocket_api_id" {
  description = "ID of the WebSocket API."
  value       = module.websocket.api_id
}

# --- calls -------------------------------------------------------------------

output "calls" {
  description = "Calls resources: matchmaking topic and queues, secret ARNs, and the media servers' addresses (empty when media servers are off)."
  value = {
    topic_arn          = module.matchmaking.topic_arn
    queue_url          = module.matchmaking.queue_url
    dlq_url            = module.matchmaking.dlq_url
    livekit_secret_arn = aws_secretsmanager_secret.livekit.arn
    turn_secret_arn    = aws_secretsmanager_secret.turn.arn
    livekit_url        = local.livekit_url
    turn_host          = local.turn_host
    livekit_public_ip  = var.media_servers_enabled ? module.livekit[0].public_ip : ""
    turn_public_ip     = var.media_servers_enabled ? module.turn[0].public_ip : ""
    vpc_id             = var.media_servers_enabled ? module.network[0].vpc_id : ""
  }
}

# --- schedules ---------------------------------------------------------------

output "schedule_group_name" {
  description = "Name of the Scheduler schedule group holding the app's schedules."
  value       = module.schedules.schedule_group_name
}

output "schedule_names" {
  description = "Deployed schedule name by schedule key (reminders, points-reset)."
  value       = module.schedules.schedule_names
}

output "schedules_dead_letter_queue_url" {
  description = "URL of the queue holding undeliverable scheduled events and failed scheduled runs."
  value       = module.schedules.dead_letter_queue_url
}

output "schedules_dead_letter_queue_arn" {
  description = "ARN of the schedules' dead-letter queue."
  value       = module.schedules.dead_letter_queue_arn
}

# --- monitoring --------------------------------------------------------------

output "alert_topic_arn" {
  description = "ARN of the SNS topic alarms notify (subscribe more endpoints to it)."
  value       = module.monitoring.topic_arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard of the stack."
  value       = module.monitoring.dashboard_name
}

output "alarm_names" {
  description = "CloudWatch alarm name by alarm key (empty when alarms are off)."
  value       = module.monitoring.alarm_names
}

# --- static site -------------------------------------------------------------

output "site_url" {
  description = "HTTPS URL of the web client (null when the site is off)."
  value       = try(module.site[0].site_url, null)
}

output "site_bucket_name" {
  description = "Bucket 'make deploy-site' uploads the built web client to (null when the site is off)."
  value       = try(module.site[0].bucket_name, null)
}

output "site_distribution_id" {
  description = "CloudFront distribution id 'make deploy-site' invalidates (null when the site is off)."
  value       = try(module.site[0].distribution_id, null)
}
