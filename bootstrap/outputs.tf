output "state_bucket_name" {
  description = "Name of the state bucket."
  value       = module.state_backend.bucket_name
}

output "lock_table_name" {
  description = "Name of the lock table."
  value       = module.state_backend.lock_table_name
}

output "deploy_role_arn" {
  description = "ARN of the env's GitHub Actions deploy role (null without `github`): the AWS_ROLE_ARN variable."
  value       = try(module.github_oidc[var.env].role_arns[var.env], null)
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider the deploy role trusts (null without `github`)."
  value       = try(module.github_oidc[var.env].oidc_provider_arn, null)
}

output "deploy_boundary_arn" {
  description = "ARN of the permissions boundary every role of the env's stack must carry (null without `github`)."
  value       = try(module.github_oidc[var.env].boundary_policy_arns[var.env], null)
}
