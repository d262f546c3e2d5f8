output "user_pool_id" {
  description = "ID of the user pool."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "ARN of the user pool."
  value       = aws_cognito_user_pool.this.arn
}

output "user_pool_issuer_url" {
  description = "Issuer (iss claim) of the pool's tokens, https://cognito-idp.<region>.amazonaws.com/<pool id>."
  value       = "https://${aws_cognito_user_pool.this.endpoint}"
}

output "user_pool_jwks_url" {
  description = "URL of the pool's token signing keys (JWKS)."
  value       = "https://${aws_cognito_user_pool.this.endpoint}/.well-known/jwks.json"
}

output "web_client_id" {
  description = "ID of the public web/mobile app client (no secret)."
  value       = aws_cognito_user_pool_client.web.id
}

output "hosted_ui_domain" {
  description = "Hosted UI domain (<prefix>.auth.<region>.amazoncognito.com) when Google sign-in is on, else null."
  value       = local.google_sign_in ? "${aws_cognito_user_pool_domain.this[0].domain}.auth.${local.region}.amazoncognito.com" : null
}

output "identity_pool_id" {
  description = "ID of the identity pool, or null when it is off."
  value       = try(aws_cognito_identity_pool.this[0].id, null)
}

output "authenticated_role_arn" {
  description = "ARN of the IAM role signed-in identities assume, or null when the identity pool is off."
  value       = try(aws_iam_role.identity["authenticated"].arn, null)
}

output "email_identity_arn" {
  description = "ARN of the SES identity that sends the pool's mail and the sign-in codes."
  value       = local.identity_arn
}

output "email_from_address" {
  description = "Sender of the pool's mail and the sign-in codes, \"Name <address>\"."
  value       = "${var.email.from_name} <${var.email.from_address}>"
}
