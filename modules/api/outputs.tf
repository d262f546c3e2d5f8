output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Invoke URL of the $default stage (no trailing slash)."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "api_execution_arn" {
  description = "Execution ARN of the API, for invoke permissions."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "custom_domain_url" {
  description = "https:// URL of the custom domain, or null without one."
  value       = var.custom_domain != null ? "https://${var.custom_domain.domain_name}" : null
}

output "custom_domain_target" {
  description = "Regional target name to point the custom domain at (CNAME or alias), or null without one."
  value       = try(aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name, null)
}

output "authorizer_id" {
  description = "ID of the JWT authorizer, or null when no route is authorized."
  value       = try(aws_apigatewayv2_authorizer.this[0].id, null)
}

output "route_ids" {
  description = "Route ID by route key."
  value       = { for key, r in aws_apigatewayv2_route.this : key => r.id }
}

output "access_log_group_name" {
  description = "Name of the log group receiving the JSON access logs."
  value       = aws_cloudwatch_log_group.access.name
}
