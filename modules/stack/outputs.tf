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

locals {
  # Every deployed function by its name in lambda_src/functions.toml.
  function_names = merge(
    { api_public = module.api_public_function.function_name, api = module.api_function.function_name },
    { ws = module.ws_function.function_name, ws_authorizer = module.ws_authorizer_function.function_name },
    { match = module.match_function.function_name, call_token = module.call_token_function.function_name },
    { reminders = module.reminders_function.function_name, points_reset = module.points_reset_function.function_name },
    local.auth_function_names,
  )
}

output "function_names" {
  description = "Deployed function name by function (as in lambda_src/functions.toml)."
  value       = local.function_names
}
