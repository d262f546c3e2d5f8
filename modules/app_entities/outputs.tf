output "routes" {
  description = "Generated HTTP route key (\"METHOD /path\") -> whether it is signed in (true) or public (false)."
  value       = local.routes
}

output "setting" {
  description = "The merged declaration as the functions' APP_ENTITIES setting: base64 of gzip of its JSON (well under Lambda's 4 KB of environment)."
  value       = base64gzip(jsonencode({ entities = local.declared_entities }))
}
