variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "sign_in_methods" {
  description = "How users sign in: \"email_otp\" (a one-time code mailed to them, see user_pool.sign_in_mode), \"google\" (the hosted UI's Google button, see google), or both."
  type        = list(string)
  default     = ["email_otp"]
  nullable    = false

  validation {
    condition     = length(var.sign_in_methods) > 0 && length(setsubtract(var.sign_in_methods, ["email_otp", "google"])) == 0 && length(distinct(var.sign_in_methods)) == length(var.sign_in_methods)
    error_message = "sign_in_methods must list \"email_otp\", \"google\" or both, each once."
  }
  validation {
    condition     = !contains(var.sign_in_methods, "google") || (var.google.client_id != null && length(var.google.callback_urls) > 0)
    error_message = "sign_in_methods \"google\" needs google.client_id and at least one google.callback_urls entry."
  }
  validation {
    condition     = contains(var.sign_in_methods, "google") || (var.google.client_id == null && var.google.domain_prefix == null && length(var.google.callback_urls) == 0 && length(var.google.logout_urls) == 0)
    error_message = "google settings are set but sign_in_methods has no \"google\": add it, or remove the google settings."
  }
}

variable "user_pool" {
  description = "The pool: how the email one-time code is issued when sign_in_methods has \"email_otp\" (sign_in_mode \"custom_auth\" with the auth_* Lambda triggers sending it through SES, or \"native_email_otp\", Cognito's own EMAIL_OTP first factor on the Essentials or Plus tier), the trigger function ARNs by trigger (define_auth_challenge, create_auth_challenge, verify_auth_challenge_response, post_confirmation), feature tier, deletion protection, threat protection (advanced security), MFA and the password policy of admin/test users."
  type = object({
    sign_in_mode                = optional(string, "custom_auth")
    triggers                    = optional(map(string), {})
    tier                        = optional(string, "ESSENTIALS")
    deletion_protection_enabled = optional(bool, false)
    threat_protection_mode      = optional(string, "OFF")
    mfa                         = optional(string, "OPTIONAL")
    password_minimum_length     = optional(number, 14)
  })
  nullable = false

  validation {
    condition     = contains(["custom_auth", "native_email_otp"], var.user_pool.sign_in_mode)
    error_message = "user_pool.sign_in_mode must be \"custom_auth\" or \"native_email_otp\"."
  }
  validation {
    condition = (
      var.user_pool.sign_in_mode != "custom_auth" || !contains(var.sign_in_methods, "email_otp") ||
      length(setsubtract(["define_auth_challenge", "create_auth_challenge", "verify_auth_challenge_response"], keys(var.user_pool.triggers))) == 0
    )
    error_message = "user_pool.sign_in_mode \"custom_auth\" needs user_pool.triggers.define_auth_challenge, create_auth_challenge and verify_auth_challenge_response."
  }
  validation {
    condition = (
      var.user_pool.sign_in_mode != "native_email_otp" ||
      length(setintersection(["define_auth_challenge", "create_auth_challenge", "verify_auth_challenge_response"], keys(var.user_pool.triggers))) == 0
    )
    error_message = "user_pool.sign_in_mode \"native_email_otp\" takes no custom-auth challenge triggers: set only user_pool.triggers.post_confirmation."
  }
  validation {
    condition = (
      contains(var.sign_in_methods, "email_otp") ||
      length(setintersection(["define_auth_challenge", "create_auth_challenge", "verify_auth_challenge_response"], keys(var.user_pool.triggers))) == 0
    )
    error_message = "sign_in_methods without \"email_otp\" (Google only) takes no custom-auth challenge triggers: set only user_pool.triggers.post_confirmation."
  }
  validation {
    condition     = length(setsubtract(keys(var.user_pool.triggers), ["define_auth_challenge", "create_auth_challenge", "verify_auth_challenge_response", "post_confirmation"])) == 0
    error_message = "user_pool.triggers keys must be define_auth_challenge, create_auth_challenge, verify_auth_challenge_response or post_confirmation."
  }
  validation {
    condition     = alltrue([for arn in values(var.user_pool.triggers) : arn == null || can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", arn))])
    error_message = "user_pool.triggers entries must be Lambda function ARNs (arn:aws:lambda:<region>:<account>:function:<name>)."
  }
  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.user_pool.tier)
    error_message = "user_pool.tier must be LITE, ESSENTIALS or PLUS."
  }
  validation {
    condition     = var.user_pool.sign_in_mode != "native_email_otp" || var.user_pool.tier != "LITE"
    error_message = "user_pool.sign_in_mode \"native_email_otp\" needs user_pool.tier ESSENTIALS or PLUS."
  }
  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.user_pool.threat_protection_mode)
    error_message = "user_pool.threat_protection_mode must be OFF, AUDIT or ENFORCED."
  }
  validation {
    condition     = var.user_pool.threat_protection_mode == "OFF" || var.user_pool.tier == "PLUS"
    error_message = "user_pool.threat_protection_mode AUDIT or ENFORCED needs user_pool.tier PLUS."
  }
  validation {
    condition     = contains(["OFF", "OPTIONAL", "ON"], var.user_pool.mfa)
    error_message = "user_pool.mfa must be OFF, OPTIONAL or ON."
  }
  validation {
    condition     = var.user_pool.sign_in_mode != "native_email_otp" || var.user_pool.mfa != "ON"
    error_message = "user_pool.sign_in_mode \"native_email_otp\" is a passwordless first factor: user_pool.mfa must be OFF or OPTIONAL."
  }
  validation {
    condition     = var.user_pool.password_minimum_length >= 8 && var.user_pool.password_minimum_length <= 99
    error_message = "user_pool.password_minimum_length must be between 8 and 99."
  }
}

variable "email" {
  description = "The SES sender used by the pool's own mail and by the code sender: from address and name, and the identity to create (a domain, or the from address itself) unless an existing identity ARN is given."
  type = object({
    from_address          = string
    from_name             = optional(string, "parley")
    identity_domain       = optional(string)
    existing_identity_arn = optional(string)
  })
  nullable = false

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", var.email.from_address))
    error_message = "email.from_address must be an email address such as no-reply@example.com."
  }
  validation {
    condition     = var.email.identity_domain == null || endswith(lower(var.email.from_address), "@${lower(coalesce(var.email.identity_domain, "-"))}")
    error_message = "email.identity_domain must be the domain of email.from_address."
  }
  validation {
    condition     = var.email.existing_identity_arn == null || can(regex("^arn:[a-z-]+:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", coalesce(var.email.existing_identity_arn, "-")))
    error_message = "email.existing_identity_arn must be an SES identity ARN (arn:aws:ses:<region>:<account>:identity/<domain or address>)."
  }
  validation {
    condition     = !(var.email.identity_domain != null && var.email.existing_identity_arn != null)
    error_message = "Set email.identity_domain (a new identity) or email.existing_identity_arn, not both."
  }
}

variable "tokens" {
  description = "Lifetimes of the web client's tokens and of a sign-in session (the time to enter the code)."
  type = object({
    access_token_minutes = optional(number, 60)
    id_token_minutes     = optional(number, 60)
    refresh_token_days   = optional(number, 30)
    auth_session_minutes = optional(number, 3)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.tokens.access_token_minutes >= 5 && var.tokens.access_token_minutes <= 1440 && var.tokens.id_token_minutes >= 5 && var.tokens.id_token_minutes <= 1440
    error_message = "tokens.access_token_minutes and tokens.id_token_minutes must be between 5 and 1440."
  }
  validation {
    condition     = var.tokens.refresh_token_days >= 1 && var.tokens.refresh_token_days <= 3650
    error_message = "tokens.refresh_token_days must be between 1 and 3650."
  }
  validation {
    condition     = var.tokens.auth_session_minutes >= 3 && var.tokens.auth_session_minutes <= 15
    error_message = "tokens.auth_session_minutes must be between 3 and 15."
  }
}

variable "google" {
  description = "Google sign-in, used when sign_in_methods has \"google\": the OAuth client id, the hosted UI domain (prefix) and the web client's OAuth callback and logout URLs."
  type = object({
    client_id     = optional(string)
    domain_prefix = optional(string)
    callback_urls = optional(list(string), [])
    logout_urls   = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for url in concat(var.google.callback_urls, var.google.logout_urls) :
      startswith(url, "https://") || can(regex("^http://localhost([:/]|$)", url)) || (!startswith(url, "http") && can(regex("^[a-z][a-z0-9+.-]*://", url)))
    ])
    error_message = "google.callback_urls and google.logout_urls must be https:// URLs (http only for localhost) or app schemes such as myapp://."
  }
  validation {
    condition     = var.google.domain_prefix == null || can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", coalesce(var.google.domain_prefix, "-")))
    error_message = "google.domain_prefix must be 1-63 lowercase letters, digits or '-', not starting or ending with '-'."
  }
}

variable "google_client_secret" {
  description = "Google OAuth client secret (required when sign_in_methods has \"google\"); pass it from a secret store, e.g. TF_VAR_google_client_secret."
  type        = string
  default     = null
  sensitive   = true
}

variable "identity_pool" {
  description = "Federated AWS access for signed-in users: an identity pool whose authenticated role may only read and write its own prefix <uploads_prefix>/<user pool sub>/ of the uploads bucket (when given); unauthenticated access stays off unless allowed."
  type = object({
    enabled               = optional(bool, true)
    allow_unauthenticated = optional(bool, false)
    uploads_bucket_arn    = optional(string)
    uploads_prefix        = optional(string, "users")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.identity_pool.uploads_bucket_arn == null || can(regex("^arn:[a-z-]+:s3:::[a-z0-9.-]{3,63}$", coalesce(var.identity_pool.uploads_bucket_arn, "-")))
    error_message = "identity_pool.uploads_bucket_arn must be a bucket ARN (arn:aws:s3:::<bucket>)."
  }
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]+$", var.identity_pool.uploads_prefix))
    error_message = "identity_pool.uploads_prefix must be letters, digits, '_' or '-' (no slashes)."
  }
  validation {
    condition     = !var.identity_pool.allow_unauthenticated || var.identity_pool.enabled
    error_message = "identity_pool.allow_unauthenticated needs identity_pool.enabled."
  }
}

variable "emulator" {
  description = "The pool is created on the local emulator: leave out what it cannot create or report (the identity pool's role attachment and its sub-to-tag mapping, the pool's feature tier)."
  type        = bool
  default     = false
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary (an IAM policy ARN) of the identity pool's roles; null sets none."
  type        = string
  default     = null
}
