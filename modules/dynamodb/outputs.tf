output "table_name" {
  description = "Name of the table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "table_stream_arn" {
  description = "ARN of the table stream, or null when streams are off."
  value       = try(aws_dynamodb_table.this.stream_arn, null)
}

output "index_arns" {
  description = "ARN pattern of the table's indexes, for IAM statements."
  value       = "${aws_dynamodb_table.this.arn}/index/*"
}
