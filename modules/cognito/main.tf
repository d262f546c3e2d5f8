# A passwordless user pool: email is the username; the sign-in methods are a
# one-time code mailed through SES (custom-auth triggers or Cognito's native
# EMAIL_OTP), Google behind the hosted UI, or both. One public web client and
# an identity pool for federated AWS access.

data "aws_partition" "current" {}

locals {
  email_sign_in  = contains(var.sign_in_methods, "email_otp")
  google_sign_in = contains(var.sign_in_methods, "google")
  custom_auth    = local.email_sign_in && var.user_pool.sign_in_mode == "custom_auth"

  create_identity = var.email.existing_identity_arn == null
  identity_name   = coalesce(var.email.identity_domain, var.email.from_address)
  identity_arn    = local.create_identity ? aws_sesv2_email_identity.this[0].arn : var.email.existing_identity_arn

  # Triggers by name, keyed statically (the ARNs may be unknown until apply).
  trigger_arns = var.user_pool.triggers

  # Google-only: the client signs in through the hosted UI and refreshes; no
  # flow of its own starts a sign-in.
  auth_flows = concat(
    local.email_sign_in ? [local.custom_auth ? "ALLOW_CUSTOM_AUTH" : "ALLOW_USER_AUTH"] : [],
    ["ALLOW_REFRESH_TOKEN_AUTH"],
  )
  identity_providers = concat(local.email_sign_in ? ["COGNITO"] : [], local.google_sign_in ? ["Google"] : [])

  domain_prefix = coalesce(var.google.domain_prefix, var.name_prefix)
  # The pool endpoint is "cognito-idp.<region>.amazonaws.com/<pool id>".
  region = split(".", aws_cognito_user_pool.this.endpoint)[1]
}

resource "aws_sesv2_email_identity" "this" {
  count = local.create_identity ? 1 : 0

  email_identity = local.identity_name
}

resource "aws_cognito_user_pool" "this" {
  name                     = "${var.name_prefix}-users"
  user_pool_tier           = var.emulator ? null : var.user_pool.tier # the emulator does not report a tier
  deletion_protection      = var.user_pool.deletion_protection_enabled ? "ACTIVE" : "INACTIVE"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = var.user_pool.mfa

  username_configuration {
    case_sensitive = false
  }

  admin_create_user_config {
    allow_admin_create_user_only = false
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  # Only admin and test users have passwords; sign-in itself is passwordless.
  password_policy {
    minimum_length                   = var.user_pool.password_minimum_length
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 1
  }

  dynamic "software_token_mfa_configuration" {
    for_each = var.user_pool.mfa == "OFF" ? [] : [1]
    content {
      enabled = true
    }
  }

  email_configuration {
    email_sending_account = "DEVELOPER"
    source_arn            = local.identity_arn
    from_email_address    = "${var.email.from_name} <${var.email.from_address}>"
  }

  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
    email_subject        = "Your ${var.email.from_name} verification code"
    email_message        = "Your ${var.email.from_name} verification code is {####}."
  }

  user_pool_add_ons {
    advanced_security_mode = var.user_pool.threat_protection_mode
  }

  dynamic "sign_in_policy" {
    for_each = local.email_sign_in && !local.custom_auth ? [1] : []
    content {
      allowed_first_auth_factors = ["EMAIL_OTP", "PASSWORD"]
    }
  }

  dynamic "lambda_config" {
    for_each = length(local.trigger_arns) > 0 ? [1] : []
    content {
      define_auth_challenge          = lookup(local.trigger_arns, "define_auth_challenge", null)
      create_auth_challenge          = lookup(local.trigger_arns, "create_auth_challenge", null)
      verify_auth_challenge_response = lookup(local.trigger_arns, "verify_auth_challenge_response", null)
      post_confirmation              = lookup(local.trigger_arns, "post_confirmation", null)
    }
  }
}

resource "aws_cognito_identity_provider" "google" {
  count = local.google_sign_in ? 1 : 0

  user_pool_id  = aws_cognito_user_pool.this.id
  provider_name = "Google"
  provider_type = "Google"

  provider_details = {
    client_id        = var.google.client_id
    client_secret    = var.google_client_secret
    authorize_scopes = "openid email profile"
  }

  attribute_mapping = {
    email          = "email"
    email_verified = "email_verified"
    name           = "name"
    username       = "sub"
  }

  lifecycle {
    precondition {
      condition     = var.google_client_secret != null
      error_message = "sign_in_methods \"google\" needs google_client_secret."
    }
  }
}

resource "aws_cognito_user_pool_domain" "this" {
  count = local.google_sign_in ? 1 : 0

  domain       = local.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

# The public web/mobile client: no secret, code sign-in and refresh only.
resource "aws_cognito_user_pool_client" "web" {
  name         = "${var.name_prefix}-web"
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret               = false
  explicit_auth_flows           = local.auth_flows
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  auth_session_validity         = var.tokens.auth_session_minutes
  access_token_validity         = var.tokens.access_token_minutes
  id_token_validity             = var.tokens.id_token_minutes
  refresh_token_validity        = var.tokens.refresh_token_days

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  supported_identity_providers         = local.identity_providers
  allowed_oauth_flows_user_pool_client = local.google_sign_in
  allowed_oauth_flows                  = local.google_sign_in ? ["code"] : []
  allowed_oauth_scopes                 = local.google_sign_in ? ["openid", "email", "profile"] : []
  callback_urls                        = local.google_sign_in ? var.google.callback_urls : []
  logout_urls                          = local.google_sign_in ? var.google.logout_urls : []

  # The provider must exist before a client names it.
  depends_on = [aws_cognito_identity_provider.google]
}

resource "aws_cognito_identity_pool" "this" {
  #checkov:skip=CKV_AWS_366:guest access is off unless identity_pool.allow_unauthenticated (default false) turns it on
  count = var.identity_pool.enabled ? 1 : 0

  identity_pool_name               = "${var.name_prefix}-identities"
  allow_unauthenticated_identities = var.identity_pool.allow_unauthenticated
  allow_classic_flow               = false

  cognito_identity_providers {
    client_id               = aws_cognito_user_pool_client.web.id
    provider_name           = aws_cognito_user_pool.this.endpoint
    server_side_token_check = true
  }
}

data "aws_iam_policy_document" "assume" {
  for_each = var.identity_pool.enabled ? toset(var.identity_pool.allow_unauthenticated ? ["authenticated", "unauthenticated"] : ["authenticated"]) : toset([])

  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.this[0].id]
    }
    condition {
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = [each.key]
    }
  }
}

resource "aws_iam_role" "identity" {
  for_each = data.aws_iam_policy_document.assume

  name                 = "${var.name_prefix}-identity-${each.key}"
  assume_role_policy   = each.value.json
  permissions_boundary = var.permissions_boundary_arn
}

# Signed-in users reach only their own prefix of the uploads bucket, the one
# the API signs uploads for: <uploads_prefix>/<user pool sub>/. The identity
# pool's own id (cognito-identity.amazonaws.com:sub) is another identifier,
# so the pool passes the token's sub claim on as the session tag "user"
# (principal_tag below) and the policy names aws:PrincipalTag/user. The
# unauthenticated role (when allowed) has no permissions at all.
locals {
  own_uploads = "${var.identity_pool.uploads_prefix}/$${aws:PrincipalTag/user}/*"
}

data "aws_iam_policy_document" "authenticated" {
  count = var.identity_pool.enabled && var.identity_pool.uploads_bucket_arn != null ? 1 : 0

  statement {
    sid       = "OwnUploads"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.identity_pool.uploads_bucket_arn}/${local.own_uploads}"]
  }
  statement {
    sid       = "ListOwnUploads"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.identity_pool.uploads_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [local.own_uploads]
    }
  }
}

resource "aws_iam_role_policy" "authenticated" {
  count = length(data.aws_iam_policy_document.authenticated)

  name   = "${var.name_prefix}-identity-uploads"
  role   = aws_iam_role.identity["authenticated"].id
  policy = data.aws_iam_policy_document.authenticated[0].json
}

# The user pool's sub claim becomes the session tag "user" of signed-in identities.
resource "aws_cognito_identity_pool_provider_principal_tag" "this" {
  count = var.identity_pool.enabled && !var.emulator ? 1 : 0

  identity_pool_id       = aws_cognito_identity_pool.this[0].id
  identity_provider_name = aws_cognito_user_pool.this.endpoint
  use_defaults           = false
  principal_tags         = { user = "sub" }
}

# The emulator has no SetIdentityPoolRoles API.
resource "aws_cognito_identity_pool_roles_attachment" "this" {
  count = var.identity_pool.enabled && !var.emulator ? 1 : 0

  identity_pool_id = aws_cognito_identity_pool.this[0].id
  roles            = { for kind, role in aws_iam_role.identity : kind => role.arn }
}
