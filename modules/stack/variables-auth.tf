variable "auth" {
  description = "Sign-in settings: the sign-in methods (\"email_otp\", \"google\" or both), e-mail code delivery mode, sender, pool tier and threat protection, MFA, token lifetimes, sign-up at first login, sign-in abuse limits, Google's OAuth client and the identity pool, whose signed-in users may write their own users/<sub>/ prefix of the uploads bucket (deletion protection follows data_protection_enabled)."
  type = object({
    sign_in_methods        = optional(list(string), ["email_otp"])
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
    # /auth/login per window and source IP / address (429 + Retry-After), and new accounts per UTC day.
    sign_in_limits = optional(object({
      window_seconds         = optional(number, 900)
      per_address            = optional(number, 5)
      per_source_ip          = optional(number, 30)
      new_accounts_per_day   = optional(number, 1000)
      new_accounts_alarm_pct = optional(number, 80)
    }), {})
    google = optional(object({
      client_id     = optional(string)
      domain_prefix = optional(string)
      callback_urls = optional(list(string), [])
      logout_urls   = optional(list(string), [])
    }), {})
    identity_pool_enabled = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for v in values(var.auth.sign_in_limits) : v != null && floor(v) == v && v >= 1
    ])
    error_message = "auth.sign_in_limits values must be whole numbers >= 1."
  }

  validation {
    condition     = var.auth.sign_in_limits.window_seconds >= 60 && var.auth.sign_in_limits.window_seconds <= 86400
    error_message = "auth.sign_in_limits.window_seconds must be between 60 and 86400 (one minute to one day)."
  }

  validation {
    condition = (
      var.auth.sign_in_limits.per_address <= 1000 && var.auth.sign_in_limits.per_source_ip <= 100000 &&
      var.auth.sign_in_limits.per_source_ip >= var.auth.sign_in_limits.per_address
    )
    error_message = "auth.sign_in_limits: per_address must be at most 1000, per_source_ip at most 100000 and at least per_address (one client signs in more than one address)."
  }

  validation {
    condition     = var.auth.sign_in_limits.new_accounts_per_day <= 1000000
    error_message = "auth.sign_in_limits.new_accounts_per_day must be between 1 and 1000000."
  }

  validation {
    condition     = var.auth.sign_in_limits.new_accounts_alarm_pct <= 100
    error_message = "auth.sign_in_limits.new_accounts_alarm_pct must be a percentage between 1 and 100."
  }
}

variable "google_client_secret" {
  description = "Google OAuth client secret, required when auth.sign_in_methods has \"google\"; pass it from a secret store (TF_VAR_google_client_secret)."
  type        = string
  default     = null
  sensitive   = true
}
