# The REST API: the HTTP API (its routes come from the function map) and the
# two functions behind it: `api` (signed in, JWT authorizer) and `api_public`
# (health, sign-in, public room view); both also serve the routes the app's
# declared entities (var.app_declarations, e.g. apps/kefir/app.json) generate:
# modules/app_entities reads and checks them and gives both functions the
# declaration as their APP_ENTITIES setting.

locals {
  # The signed-in built-in routes; the app's declared entities add theirs.
  api_builtin_routes = [
    "GET /me", "PATCH /me", "GET /me/settings", "PUT /me/settings",
    "POST /rooms", "GET /rooms", "GET /rooms/{id}", "POST /rooms/{id}/members",
    "DELETE /rooms/{id}/members/me", "GET /rooms/{id}/messages",
    "POST /uploads", "GET /export",
    "POST /reminders", "GET /reminders", "DELETE /reminders/{id}",
    "GET /notifications", "POST /notifications/{id}/read",
    "POST /devices", "DELETE /devices/{id}",
  ]

  api_functions = {
    api = {
      description = "Signed-in HTTP routes: profile, rooms, messages, uploads, export, reminders, notifications, devices, declared app entities."
      routes      = merge({ for key in local.api_builtin_routes : key => true }, { for key, signed_in in local.entity_routes : key => true if signed_in })
      environment = merge(local.entity_environment, {
        UPLOADS_BUCKET   = module.uploads.bucket_name
        UPLOAD_MAX_BYTES = tostring(var.uploads.max_size_mb * 1024 * 1024)
        # New reminders are placed on the shards the reminders run reads (schedules.tf).
        REMINDER_SHARD_COUNT = tostring(var.reminders.shard_count)
      })
      statements = merge(
        {
          table_read_write = local.table_read_write
          # Clients upload to users/ with presigned PUTs; large exports are
          # written to exports/ and read back through a presigned GET.
          uploads_write = {
            actions   = ["s3:PutObject"]
            resources = ["${module.uploads.bucket_arn}/users/*", "${module.uploads.bucket_arn}/exports/*"]
          }
          # Exports are read back; an avatar upload is checked to exist (HeadObject) before PATCH /me keeps it;
          # the history signs read URLs of message attachments (lambda_src/parley/adapters/files.py).
          uploads_read = {
            actions   = ["s3:GetObject"]
            resources = ["${module.uploads.bucket_arn}/exports/*", "${module.uploads.bucket_arn}/users/*"]
          }
        },
        var.uploads.kms_key_arn == null ? {} : {
          uploads_key = { actions = ["kms:GenerateDataKey", "kms:Decrypt"], resources = [var.uploads.kms_key_arn] }
        },
      )
    }
    api_public = {
      description = "Public HTTP routes: health, sign-in, public room view, public views of declared app entities."
      routes = merge({
        "GET /health"            = false
        "GET /public/rooms/{id}" = false
      }, local.auth_public_routes, { for key, signed_in in local.entity_routes : key => false if !signed_in })
      environment = merge(local.auth_public_environment, local.entity_environment)
      statements  = merge({ table_read = local.table_read }, local.auth_public_statements)
    }
  }

  # Route key -> the function serving it, from every function's routes.
  http_routes = merge([
    for key, f in local.functions : { for route, authorized in f.routes : route => { function = key, authorized = authorized } }
  ]...)
}

module "app_entities" {
  source = "../app_entities"

  declarations = var.app_declarations
  # First path segments of the built-in HTTP routes, which no entity may take.
  reserved_paths = distinct(concat([for route in local.api_builtin_routes : split("/", route)[1]], ["health", "auth", "public"]))
}

locals {
  entity_routes      = module.app_entities.routes
  entity_environment = { APP_ENTITIES = module.app_entities.setting }
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
