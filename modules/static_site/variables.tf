variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "emulator" {
  description = "The site is deployed to the local emulator: plain-HTTP bucket access, no security headers policy (unsupported there) and no edge sign-in."
  type        = bool
  default     = false
  nullable    = false
}

variable "price_class" {
  description = "CloudFront price class: which edge locations serve the site."
  type        = string
  default     = "PriceClass_100"
  nullable    = false

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "domain" {
  description = "Optional custom domain: the host names, and either an existing us-east-1 ACM certificate ARN or a Route 53 zone id in which to validate a new certificate and create the alias records."
  type = object({
    aliases         = list(string)
    certificate_arn = optional(string)
    route53_zone_id = optional(string)
  })
  default = null

  validation {
    condition     = var.domain == null || try(length(var.domain.aliases) > 0 && alltrue([for a in var.domain.aliases : can(regex("^(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", a))]), false)
    error_message = "domain.aliases must list at least one lowercase host name like app.example.com."
  }

  validation {
    condition     = var.domain == null || try(var.domain.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$", var.domain.certificate_arn)), false)
    error_message = "domain.certificate_arn must be an ACM certificate in us-east-1 (arn:aws:acm:us-east-1:<account>:certificate/<id>): CloudFront accepts no other region."
  }

  validation {
    condition     = var.domain == null || try(var.domain.certificate_arn != null || var.domain.route53_zone_id != null, false)
    error_message = "domain needs certificate_arn (an issued us-east-1 certificate) or route53_zone_id (to validate a new one)."
  }
}

variable "security_headers" {
  description = "Security headers added to every response: the Content-Security-Policy and the HSTS max-age."
  type = object({
    content_security_policy = optional(string, "default-src 'self'; img-src 'self' data: https:; connect-src 'self' https: wss:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'")
    hsts_max_age_seconds    = optional(number, 63072000)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.security_headers.hsts_max_age_seconds >= 86400 && length(trimspace(var.security_headers.content_security_policy)) > 0
    error_message = "security_headers needs hsts_max_age_seconds of at least 86400 (one day) and a non-empty content_security_policy."
  }
}

variable "access_logs" {
  description = "CloudFront standard access logs, written to a bucket of their own and expired after retention_days."
  type = object({
    enabled        = optional(bool, false)
    retention_days = optional(number, 90)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.access_logs.retention_days >= 1 && floor(var.access_logs.retention_days) == var.access_logs.retention_days
    error_message = "access_logs.retention_days must be a whole number of days, at least 1."
  }
}

variable "edge_auth" {
  description = "Sign-in at the edge: a Lambda@Edge viewer-request function (package from build.py, with the SHA-256 of the config baked into it) that redirects visitors without a valid Cognito token cookie to the hosted UI."
  type = object({
    enabled = bool
    package = optional(object({
      filename         = string
      source_code_hash = string
      handler          = string
      config_sha256    = optional(string)
    }))
  })
  default  = { enabled = false }
  nullable = false

  validation {
    condition     = !var.edge_auth.enabled || var.edge_auth.package != null
    error_message = "edge_auth.package (filename, source_code_hash, handler) is required when edge_auth.enabled is true."
  }

  validation {
    condition     = !var.edge_auth.enabled || try(var.edge_auth.package.config_sha256 != null, false)
    error_message = "edge_auth.package has no baked config: write envs/<env>/edge_auth.json and run 'make build ENV=<env>' (build.py --config edge_auth=FILE)."
  }

  validation {
    condition     = !(var.edge_auth.enabled && var.emulator)
    error_message = "edge_auth must stay disabled on the emulator: it has no CloudFront edge to run Lambda@Edge."
  }
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary (an IAM policy ARN) of the edge function's role; null sets none."
  type        = string
  default     = null
}
