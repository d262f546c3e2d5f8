output "state_bucket_name" {
  description = "Name of the state bucket."
  value       = module.state_backend.bucket_name
}

output "lock_table_name" {
  description = "Name of the lock table."
  value       = module.state_backend.lock_table_name
}
