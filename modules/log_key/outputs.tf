output "key_arn" {
  description = "ARN of the log groups' key (their kms_key_id)."
  value       = aws_kms_key.this.arn
}

output "alias_name" {
  description = "Alias of the key, \"alias/<name_prefix>-logs\"."
  value       = aws_kms_alias.this.name
}
