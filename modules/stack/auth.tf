# Sign-in: the Cognito user pool (e-mail codes, Google, or both),
# its trigger functions, and the contract other features use to trust its
# tokens (issuer, audience, JWKS) and to serve /auth/* (api.tf's api_public).

locals {
  auth_email           = contains(var.auth.sign_in_methods, "email_otp")
  auth_custom          = local.auth_email && var.auth.sign_in_mode == "custom_auth"
  auth_session_minutes = 3
  # Cognito's native EMAIL_OTP, and Google-only sign-in, need none of the
  # challenge triggers.
  auth_unused_functions = local.auth_custom ? [] : ["auth_define", "auth_create", "auth_verify"]

  # The Cognito trigger each sign-in function serves; the three challenge
  # triggers exist only in custom_auth mode. Cognito waits at most 5 seconds.
  auth_trigger_of = {
    auth_define            = "define_auth_challenge"
    auth_create            = "create_auth_challenge"
    auth_verify            = "verify_auth_challenge_response"
    auth_post_confirmation = "post_confirmation"
  }
  auth_trigger_specs = {
    auth_define = {
      description = "Cognito DefineAuthChallenge: email code, 3 tries."
    }
    auth_create = {
      description = "Cognito CreateAuthChallenge: mails a 6-digit code through SES."
      environment = {
        AUTH_EMAIL_SENDER       = module.cognito.email_from_address
        AUTH_APP_NAME           = var.auth.email_from_name
        AUTH_CODE_VALID_MINUTES = tostring(local.auth_session_minutes)
      }
      statements = {
        send_code  = { actions = ["ses:SendEmail"], resources = [module.cognito.email_identity_arn] }
        send_limit = { actions = ["dynamodb:GetItem", "dynamodb:PutItem"], resources = [module.table.table_arn] }
      }
    }
    auth_verify = {
      description = "Cognito VerifyAuthChallengeResponse: constant-time code check."
    }
    auth_post_confirmation = {
      description = "Cognito PostConfirmation: creates the user's profile item once."
      statements = {
        create_profile = { actions = ["dynamodb:PutItem"], resources = [module.table.table_arn] }
      }
    }
  }
  # Every trigger function: small, fast, and invocable by this pool only.
  auth_functions = {
    for key, f in local.auth_trigger_specs : key => merge(f, {
      runtime = { memory_mb = 256, timeout_seconds = 5 }
      invoke_permissions = {
        "AllowCognito-${replace(local.auth_trigger_of[key], "_", "-")}" = {
          principal  = "cognito-idp.amazonaws.com"
          source_arn = module.cognito.user_pool_arn
        }
      }
    })
  }
  # Keys decided by the mode (known at plan time); the functions are named, not
  # referenced, because they read the pool's ids (see main.tf).
  auth_triggers = {
    for key, trigger in local.auth_trigger_of : trigger => "${local.lambda_arn_prefix}${replace(key, "_", "-")}"
    if !contains(local.auth_unused_functions, key)
  }

  # Contract: how other features trust the pool's tokens.
  jwt_issuer   = module.cognito.user_pool_issuer_url
  jwt_audience = [module.cognito.web_client_id]
  # The emulator serves the pool's keys at <endpoint>/<pool id>/.well-known/jwks.json.
  jwks_url = var.emulator_endpoint == null ? module.cognito.user_pool_jwks_url : "${var.emulator_endpoint}/${module.cognito.user_pool_id}/.well-known/jwks.json"

  # The public /auth/* routes (api.tf's api_public serves them): the e-mail code
  # sign-in, when on, and the refresh every method's tokens use.
  auth_public_routes = merge(
    { "POST /auth/refresh" = false },
    local.auth_email ? { "POST /auth/login" = false, "POST /auth/verify" = false } : {},
  )

  # What the function behind /auth/* needs: the pool, and (e-mail sign-in)
  # rights to create users and their profile at their first code.
  auth_public_environment = {
    USER_POOL_ID         = module.cognito.user_pool_id
    USER_POOL_CLIENT_ID  = module.cognito.web_client_id
    AUTH_SIGN_IN_MODE    = var.auth.sign_in_mode
    AUTH_SESSION_MINUTES = tostring(local.auth_session_minutes)
    AUTH_AUTO_SIGN_UP    = tostring(var.auth.auto_sign_up)
    # Sign-in abuse limits (docs/auth.md): counters in the table, removed by TTL.
    AUTH_LOGIN_WINDOW_SECONDS = tostring(var.auth.sign_in_limits.window_seconds)
    AUTH_LOGINS_PER_ADDRESS   = tostring(var.auth.sign_in_limits.per_address)
    AUTH_LOGINS_PER_SOURCE_IP = tostring(var.auth.sign_in_limits.per_source_ip)
    AUTH_NEW_ACCOUNTS_PER_DAY = tostring(var.auth.sign_in_limits.new_accounts_per_day)
  }
  auth_sign_up_statements = {
    auth_create_users = {
      actions   = ["cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword"]
      resources = [module.cognito.user_pool_arn]
    }
    auth_create_profiles = {
      actions   = ["dynamodb:PutItem"]
      resources = [module.table.table_arn]
    }
    # The sign-in limit counters: atomic conditional increments.
    auth_sign_in_limits = {
      actions   = ["dynamodb:UpdateItem"]
      resources = [module.table.table_arn]
    }
  }
  auth_public_statements = local.auth_email ? local.auth_sign_up_statements : {}
}

module "cognito" {
  source = "../cognito"

  name_prefix     = var.name_prefix
  emulator        = var.emulator
  sign_in_methods = var.auth.sign_in_methods
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
    enabled = var.auth.identity_pool_enabled
    # Built from the name, so the role's policy is readable in plans.
    uploads_bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${module.uploads.bucket_name}"
    uploads_prefix     = "users"
  }
  permissions_boundary_arn = var.permissions_boundary_arn
}
