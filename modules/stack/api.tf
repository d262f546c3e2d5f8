# The REST API: the HTTP API (routes as data), the uploads bucket, the app
# secrets, and the two functions behind it: `api` (signed in, JWT authorizer)
# and `api_public` (declared in public.tf; its public-room route is added here).

variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the HTTP API and to use upload URLs; a strict list outside development."
  type        = list(string)
  default     = ["http://localhost:3000"]
  nullable    = false
}

variable "api_throttling" {
  description = "Default throttling of the HTTP API's $default stage: burst requests and steady requests per second."
  type = object({
    burst_limit = optional(number, 1000)
    rate_limit  = optional(number, 2000)
  })
  default  = {}
  nullable = false
}

variable "api_custom_domain" {
  description = "Optional custom domain of the HTTP API: the name, an existing ACM certificate ARN and the Route 53 zone (see modules/api)."
  type = object({
    domain_name     = string
    certificate_arn = optional(string)
    zone_id         = optional(string)
  })
  default = null
}

variable "uploads" {
  description = "Uploads: largest accepted file, lifecycle (expiry and incomplete-upload cleanup, in days) and an optional KMS key for the bucket."
  type = object({
    max_size_mb                  = optional(number, 10)
    expire_after_days            = optional(number, 365)
    abort_incomplete_upload_days = optional(number, 7)
    kms_key_arn                  = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.uploads.max_size_mb >= 1 && var.uploads.max_size_mb <= 5120
    error_message = "uploads.max_size_mb must be between 1 and 5120 (a single presigned PUT takes at most 5 GB)."
  }
}

variable "app_secrets" {
  description = "Named app secrets (e.g. third-party API keys) by name: a description, the functions that may read it, and whether to generate a random value (otherwise set the value outside Terraform)."
  type = map(object({
    description = string
    readers     = list(string)
    generate    = optional(bool, false)
  }))
  default  = {}
  nullable = false

  validation {
    condition     = alltrue([for name in keys(var.app_secrets) : can(regex("^[a-z][a-z0-9_]{0,39}$", name))])
    error_message = "app_secrets names must be 1-40 lowercase letters, digits or '_', starting with a letter."
  }
  validation {
    condition     = alltrue([for s in values(var.app_secrets) : length(s.readers) > 0 && alltrue([for r in s.readers : can(regex("^[a-z][a-z0-9_]*$", r))])])
    error_message = "each app secret needs at least one reader, a function name as in lambda_src/functions.toml (e.g. \"api\")."
  }
}

locals {
  # Route key -> function key and whether the JWT authorizer guards it.
  app_http_routes = {
    for key in [
      "GET /me", "PATCH /me", "GET /me/settings", "PUT /me/settings",
      "POST /rooms", "GET /rooms", "GET /rooms/{id}", "POST /rooms/{id}/members",
      "DELETE /rooms/{id}/members/me", "GET /rooms/{id}/messages",
      "POST /uploads", "GET /export",
      "POST /reminders", "GET /reminders", "DELETE /reminders/{id}",
      "GET /notifications", "POST /notifications/{id}/read",
      "POST /devices", "DELETE /devices/{id}",
    ] : key => { function = "api", authorized = true }
  }
  public_http_routes = {
    "GET /health"            = { function = "api_public", authorized = false }
    "GET /public/rooms/{id}" = { function = "api_public", authorized = false }
  }
  app_http_functions = {
    api = { function_name = module.api_function.function_name, invoke_arn = module.api_function.function_invoke_arn }
  }
  public_http_functions = {
    api_public = { function_name = module.api_public_function.function_name, invoke_arn = module.api_public_function.function_invoke_arn }
  }

  # Every feature's routes and the functions behind them: one HTTP API for the app.
  http_routes    = merge(local.app_http_routes, local.public_http_routes, local.auth_http_routes, local.calls_http_routes)
  http_functions = merge(local.app_http_functions, local.public_http_functions, local.auth_http_functions, local.calls_http_functions)

  http_api_url           = module.http_api.api_endpoint
  http_api_execution_arn = module.http_api.api_execution_arn

  # Secret name -> ARN, and for each reading function the secrets it may read.
  app_secret_arns = { for name, s in aws_secretsmanager_secret.app : name => s.arn }
  app_secrets_by_function = {
    for fn in distinct(flatten([for s in values(var.app_secrets) : s.readers])) : fn => {
      for name, s in var.app_secrets : name => aws_secretsmanager_secret.app[name].arn if contains(s.readers, fn)
    }
  }
  api_secrets = lookup(local.app_secrets_by_function, "api", {})
  # Functions find their secrets by name (known at plan time, unlike the ARNs).
  app_secret_names = { for name in keys(var.app_secrets) : name => "${var.name_prefix}/app/${name}" }
  api_secret_names = { for name, s in var.app_secrets : name => local.app_secret_names[name] if contains(s.readers, "api") }
}

module "http_api" {
  source = "../api"

  name_prefix        = var.name_prefix
  routes             = local.http_routes
  functions          = local.http_functions
  jwt_authorizer     = { issuer = local.jwt_issuer, audience = local.jwt_audience }
  cors               = { allow_origins = var.cors_allowed_origins }
  throttling         = var.api_throttling
  log_retention_days = var.log_retention_days
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

resource "aws_secretsmanager_secret" "app" {
  #checkov:skip=CKV_AWS_149:encrypted with the aws/secretsmanager key; a CMK per environment adds cost and key policy for no new control
  #checkov:skip=CKV2_AWS_57:generated values rotate by bumping secret_string_wo_version; the rest are third-party keys rotated by their issuer
  for_each = var.app_secrets

  name                    = local.app_secret_names[each.key]
  description             = each.value.description
  recovery_window_in_days = var.data_protection_enabled ? 30 : 0
}

ephemeral "aws_secretsmanager_random_password" "app" {
  for_each = { for name, s in var.app_secrets : name => s if s.generate }

  password_length     = 48
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "app" {
  for_each = { for name, s in var.app_secrets : name => s if s.generate }

  secret_id                = aws_secretsmanager_secret.app[each.key].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.app[each.key].random_password
  secret_string_wo_version = 1
}

module "api_function" {
  source = "../lambda_function"

  name    = "${var.name_prefix}-api"
  package = local.packages["api"]
  runtime = merge({ description = "Signed-in HTTP routes: profile, rooms, messages, uploads, export, reminders, notifications, devices." }, lookup(local.runtime, "api", {}))
  environment = merge(local.common_environment, {
    UPLOADS_BUCKET       = module.uploads.bucket_name
    UPLOAD_MAX_BYTES     = tostring(var.uploads.max_size_mb * 1024 * 1024)
    REMINDER_SHARD_COUNT = tostring(local.reminder_shard_count)
    APP_SECRETS          = jsonencode(local.api_secret_names)
  })
  log_retention_days = var.log_retention_days
  policy_statements = merge(
    {
      table_read_write = local.table_read_write
      uploads = {
        actions   = ["s3:PutObject", "s3:GetObject"]
        resources = ["${module.uploads.bucket_arn}/users/*", "${module.uploads.bucket_arn}/exports/*"]
      }
    },
    length(local.api_secrets) > 0 ? {
      app_secrets = { actions = ["secretsmanager:GetSecretValue"], resources = values(local.api_secrets) }
    } : {},
    var.uploads.kms_key_arn == null ? {} : {
      uploads_key = { actions = ["kms:GenerateDataKey", "kms:Decrypt"], resources = [var.uploads.kms_key_arn] }
    },
  )
}

output "http_api_url" {
  description = "Invoke URL of the HTTP API."
  value       = local.http_api_url
}

output "http_api_id" {
  description = "ID of the HTTP API."
  value       = module.http_api.api_id
}

output "http_api_custom_domain_url" {
  description = "URL of the HTTP API's custom domain, or null without one."
  value       = module.http_api.custom_domain_url
}

output "uploads_bucket_name" {
  description = "Name of the uploads bucket."
  value       = module.uploads.bucket_name
}

output "app_secret_arns" {
  description = "ARN of each app secret by name (values are set outside Terraform or generated write-only)."
  value       = local.app_secret_arns
}

output "api_function_names" {
  description = "Deployed function name of the REST API functions, by function."
  value = {
    api        = module.api_function.function_name
    api_public = module.api_public_function.function_name
  }
}
