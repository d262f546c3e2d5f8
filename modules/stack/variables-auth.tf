variable "auth" {
  description = "Sign-in settings: the sign-in methods (\"email_otp\", \"google\" or both), e-mail code delivery mode, sender, pool tier and threat protection, MFA, token lifetimes, sign-up at first login, Google's OAuth client and the identity pool, whose signed-in users may write their own users/<sub>/ prefix of the uploads bucket (deletion protection follows data_protection_enabled)."
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
}

variable "google_client_secret" {
  description = "Google OAuth client secret, required when auth.sign_in_methods has \"google\"; pass it from a secret store (TF_VAR_google_client_secret)."
  type        = string
  default     = null
  sensitive   = true
}
