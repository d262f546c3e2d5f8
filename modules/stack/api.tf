# The REST API: the HTTP API (its routes come from the function map), the
# uploads bucket, and the two functions behind it: `api` (signed in, JWT
# authorizer) and `api_public` (health, sign-in, public room view).

locals {
  api_functions = {
    api = {
      description = "Signed-in HTTP routes: profile, rooms, messages, uploads, export, reminders, notifications, devices."
      routes = {
        for key in [
          "GET /me", "PATCH /me", "GET /me/settings", "PUT /me/settings",
          "POST /rooms", "GET /rooms", "GET /rooms/{id}", "POST /rooms/{id}/members",
          "DELETE /rooms/{id}/members/me", "GET /rooms/{id}/messages",
          "POST /uploads", "GET /export",
          "POST /reminders", "GET /reminders", "DELETE /reminders/{id}",
          "GET /notifications", "POST /notifications/{id}/read",
          "POST /devices", "DELETE /devices/{id}",
        ] : key => true
      }
      environment = {
        UPLOADS_BUCKET   = module.uploads.bucket_name
        UPLOAD_MAX_BYTES = tostring(var.uploads.max_size_mb * 1024 * 1024)
        # New reminders are placed on the shards the reminders run reads (schedules.tf).
        REMINDER_SHARD_COUNT = tostring(var.reminders.shard_count)
      }
      statements = merge(
        {
          table_read_write = local.table_read_write
          # Clients upload to users/ with presigned PUTs; large exports are
          # written to exports/ and read back through a presigned GET.
          uploads_write = {
            actions   = ["s3:PutObject"]
            resources = ["${module.uploads.bucket_arn}/users/*", "${module.uploads.bucket_arn}/exports/*"]
          }
          exports_read = {
            actions   = ["s3:GetObject"]
            resources = ["${module.uploads.bucket_arn}/exports/*"]
          }
        },
        var.uploads.kms_key_arn == null ? {} : {
          uploads_key = { actions = ["kms:GenerateDataKey", "kms:Decrypt"], resources = [var.uploads.kms_key_arn] }
        },
      )
    }
    api_public = {
      description = "Public HTTP routes: health, sign-in, public room view."
      routes = {
        "GET /health"            = false
        "GET /public/rooms/{id}" = false
        "POST /auth/login"       = false
        "POST /auth/verify"      = false
        "POST /auth/refresh"     = false
      }
      environment = local.auth_public_environment
      statements  = merge({ table_read = local.table_read }, local.auth_public_statements)
    }
  }

  # Route key -> the function serving it, from every function's routes.
  http_routes = merge([
    for key, f in local.functions : { for route, authorized in f.routes : route => { function = key, authorized = authorized } }
  ]...)
}

module "http_api" {
  source = "../api"

  name_prefix = var.name_prefix
  routes      = local.http_routes
  functions = {
    for key in distinct([for r in values(local.http_routes) : r.function]) : key => {
      function_name = module.function[key].function_name
      invoke_arn    = module.function[key].function_invoke_arn
    }
  }
  jwt_authorizer     = { issuer = local.jwt_issuer, audience = local.jwt_audience }
  cors               = { allow_origins = var.cors_allowed_origins }
  throttling         = var.api_throttling
  log_retention_days = var.log_retention_days
  log_kms_key_arn    = local.log_kms_key_arn
  custom_domain      = var.api_custom_domain
}

module "uploads" {
  source = "../storage"

  name_prefix          = var.name_prefix
  cors_allowed_origins = var.cors_allowed_origins
  encryption           = var.uploads.kms_key_arn == null ? {} : { sse_algorithm = "aws:kms", kms_key_arn = var.uploads.kms_key_arn }
  versioning_enabled   = var.data_protection_enabled
  tls_only_enabled     = !var.emulator
  force_destroy        = !var.data_protection_enabled
  # The emulator pays a long provider wait per lifecycle configuration.
  lifecycle_rules = {
    enabled                      = !var.emulator
    expire_after_days            = var.uploads.expire_after_days
    abort_incomplete_upload_days = var.uploads.abort_incomplete_upload_days
  }
}
