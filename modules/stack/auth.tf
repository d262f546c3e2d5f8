# Sign-in: the Cognito user pool (passwordless email codes, optional Google),
# its trigger functions, and the contract other features use to trust its
# tokens (issuer, audience, JWKS) and to route /auth/* to api_public.

variable "auth" {
  description = "Sign-in settings: code delivery mode, sender, pool tier and threat protection, MFA, token lifetimes, sign-up at first login, Google sign-in and the identity pool (deletion protection follows data_protection_enabled)."
  type = object({
    sign_in_mode           = optional(string, "custom_auth")
    email_from_address     = optional(string, "no-reply@example.com")
    email_from_name        = optional(string, "parley")
    email_identity_domain  = optional(string)
    email_identity_arn     = optional(string)
    user_pool_tier         = optional(string, "ESSENTIALS")
    threat_protection_mode = optional(string, "OFF")
    mfa                    = optional(string, "OPTIONAL")
    access_token_minutes   = optional(number, 60)
    id_token_minutes       = optional(number, 60)
    refresh_token_days     = optional(number, 30)
    auto_sign_up           = optional(bool, true)
    google = optional(object({
      enabled       = optional(bool, false)
      client_id     = optional(string)
      domain_prefix = optional(string)
      callback_urls = optional(list(string), [])
      logout_urls   = optional(list(string), [])
    }), {})
    identity_pool_enabled = optional(bool, true)
    uploads_bucket_arn    = optional(string)
  })
  default  = {}
  nullable = false
}

variable "google_client_secret" {
  description = "Google OAuth client secret, required when auth.google.enabled; pass it from a secret store (TF_VAR_google_client_secret)."
  type        = string
  default     = null
  sensitive   = true
}

locals {
  auth_custom            = var.auth.sign_in_mode == "custom_auth"
  auth_session_minutes   = 3
  auth_code_trigger_keys = ["define_auth_challenge", "create_auth_challenge", "verify_auth_challenge_response"]
  auth_all_triggers = {
    define_auth_challenge          = try(module.auth_define_function[0].function_arn, "")
    create_auth_challenge          = try(module.auth_create_function[0].function_arn, "")
    verify_auth_challenge_response = try(module.auth_verify_function[0].function_arn, "")
    post_confirmation              = module.auth_post_confirmation_function.function_arn
  }
  # Keys decided by the mode (known at plan time), values possibly unknown.
  auth_triggers = {
    for name, arn in local.auth_all_triggers : name => arn
    if name == "post_confirmation" || (local.auth_custom && contains(local.auth_code_trigger_keys, name))
  }

  # Contract: how other features trust the pool's tokens.
  jwt_issuer   = module.cognito.user_pool_issuer_url
  jwt_audience = [module.cognito.web_client_id]
  # The emulator serves the pool's keys at <endpoint>/<pool id>/.well-known/jwks.json.
  jwks_url      = var.emulator_endpoint == null ? module.cognito.user_pool_jwks_url : "${var.emulator_endpoint}/${module.cognito.user_pool_id}/.well-known/jwks.json"
  user_pool_id  = module.cognito.user_pool_id
  user_pool_arn = module.cognito.user_pool_arn

  # What api_public needs for /auth/*: the pool, and rights to create users and their profile.
  auth_public_environment = {
    USER_POOL_ID         = module.cognito.user_pool_id
    USER_POOL_CLIENT_ID  = module.cognito.web_client_id
    AUTH_SIGN_IN_MODE    = var.auth.sign_in_mode
    AUTH_SESSION_MINUTES = tostring(local.auth_session_minutes)
    AUTH_AUTO_SIGN_UP    = tostring(var.auth.auto_sign_up)
  }
  auth_public_statements = {
    auth_create_users = {
      actions   = ["cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword"]
      resources = [module.cognito.user_pool_arn]
    }
    auth_create_profiles = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.table.table_arn]
    }
  }

  auth_http_routes = {
    "POST /auth/login"   = { function = "api_public", authorized = false }
    "POST /auth/verify"  = { function = "api_public", authorized = false }
    "POST /auth/refresh" = { function = "api_public", authorized = false }
  }
  auth_http_functions = {
    api_public = {
      function_name = module.api_public_function.function_name
      invoke_arn    = module.api_public_function.function_invoke_arn
    }
  }
}

module "cognito" {
  source = "../cognito"

  name_prefix = var.name_prefix
  emulator    = var.emulator
  user_pool = {
    sign_in_mode                = var.auth.sign_in_mode
    triggers                    = local.auth_triggers
    tier                        = var.auth.user_pool_tier
    deletion_protection_enabled = var.data_protection_enabled
    threat_protection_mode      = var.auth.threat_protection_mode
    mfa                         = var.auth.mfa
  }
  email = {
    from_address          = var.auth.email_from_address
    from_name             = var.auth.email_from_name
    identity_domain       = var.auth.email_identity_domain
    existing_identity_arn = var.auth.email_identity_arn
  }
  tokens = {
    access_token_minutes = var.auth.access_token_minutes
    id_token_minutes     = var.auth.id_token_minutes
    refresh_token_days   = var.auth.refresh_token_days
    auth_session_minutes = local.auth_session_minutes
  }
  google               = var.auth.google
  google_client_secret = var.google_client_secret
  identity_pool = {
    enabled            = var.auth.identity_pool_enabled
    uploads_bucket_arn = var.auth.uploads_bucket_arn
  }
}

# Cognito waits at most 5 seconds for a trigger.
module "auth_define_function" {
  source = "../lambda_function"
  count  = local.auth_custom ? 1 : 0

  name               = "${var.name_prefix}-auth-define"
  package            = local.packages["auth_define"]
  runtime            = merge({ description = "Cognito DefineAuthChallenge: email code, 3 tries.", memory_mb = 256, timeout_seconds = 5 }, lookup(local.runtime, "auth_define", {}))
  environment        = local.common_environment
  log_retention_days = var.log_retention_days
}

module "auth_create_function" {
  source = "../lambda_function"
  count  = local.auth_custom ? 1 : 0

  name    = "${var.name_prefix}-auth-create"
  package = local.packages["auth_create"]
  runtime = merge({ description = "Cognito CreateAuthChallenge: mails a 6-digit code through SES.", memory_mb = 256, timeout_seconds = 5 }, lookup(local.runtime, "auth_create", {}))
  environment = merge(local.common_environment, {
    AUTH_EMAIL_SENDER       = module.cognito.email_from_address
    AUTH_APP_NAME           = var.auth.email_from_name
    AUTH_CODE_VALID_MINUTES = tostring(local.auth_session_minutes)
  })
  log_retention_days = var.log_retention_days
  policy_statements = {
    send_code = {
      actions   = ["ses:SendEmail"]
      resources = [module.cognito.email_identity_arn]
    }
    send_limit = {
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
      resources = [module.table.table_arn]
    }
  }
}

module "auth_verify_function" {
  source = "../lambda_function"
  count  = local.auth_custom ? 1 : 0

  name               = "${var.name_prefix}-auth-verify"
  package            = local.packages["auth_verify"]
  runtime            = merge({ description = "Cognito VerifyAuthChallengeResponse: constant-time code check.", memory_mb = 256, timeout_seconds = 5 }, lookup(local.runtime, "auth_verify", {}))
  environment        = local.common_environment
  log_retention_days = var.log_retention_days
}

module "auth_post_confirmation_function" {
  source = "../lambda_function"

  name               = "${var.name_prefix}-auth-post-confirmation"
  package            = local.packages["auth_post_confirmation"]
  runtime            = merge({ description = "Cognito PostConfirmation: creates the user's profile item once.", memory_mb = 256, timeout_seconds = 5 }, lookup(local.runtime, "auth_post_confirmation", {}))
  environment        = local.common_environment
  log_retention_days = var.log_retention_days
  policy_statements = {
    create_profile = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.table.table_arn]
    }
  }
}

output "user_pool_id" {
  description = "ID of the Cognito user pool."
  value       = module.cognito.user_pool_id
}

output "user_pool_client_id" {
  description = "ID of the public web/mobile app client (no secret)."
  value       = module.cognito.web_client_id
}

output "user_pool_issuer_url" {
  description = "Issuer of the pool's tokens (the iss claim); its JWKS is at <issuer>/.well-known/jwks.json."
  value       = module.cognito.user_pool_issuer_url
}

output "hosted_ui_domain" {
  description = "Hosted UI domain for Google sign-in (null when Google sign-in is off)."
  value       = module.cognito.hosted_ui_domain
}

output "identity_pool_id" {
  description = "ID of the identity pool for federated AWS access (null when off)."
  value       = module.cognito.identity_pool_id
}

locals {
  # Keys depend only on the sign-in mode, so they are known at plan time.
  auth_function_names = merge(
    { auth_post_confirmation = module.auth_post_confirmation_function.function_name },
    local.auth_custom ? {
      auth_define = module.auth_define_function[0].function_name
      auth_create = module.auth_create_function[0].function_name
      auth_verify = module.auth_verify_function[0].function_name
    } : {},
  )
}

output "auth_function_names" {
  description = "Deployed sign-in trigger function name by function (as in lambda_src/functions.toml)."
  value       = local.auth_function_names
}
