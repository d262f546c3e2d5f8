output "oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the roles trust (created here or passed in)."
  value       = local.provider_arn
}

output "role_arns" {
  description = "Deploy role ARN by environment: the AWS_ROLE_ARN variable of the matching GitHub environment."
  value       = { for env, role in aws_iam_role.this : env => role.arn }
}

output "role_names" {
  description = "Deploy role name by environment."
  value       = { for env, role in aws_iam_role.this : env => role.name }
}

output "role_subjects" {
  description = "OIDC subjects each environment's role accepts, by environment."
  value       = local.subjects
}

output "boundary_policy_arns" {
  description = "ARN of the permissions boundary every role of each environment's stack must carry, by environment."
  value       = { for env, policy in aws_iam_policy.boundary : env => policy.arn }
}
