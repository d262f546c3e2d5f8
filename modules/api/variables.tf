variable "name_prefix" {
  description = "Prefix of every resource name, \"<app>-<env>\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,28}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-30 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "routes" {
  description = "Routes as data: route key (\"METHOD /path\") -> the function (a key of functions) that serves it and whether the JWT authorizer guards it."
  type = map(object({
    function   = string
    authorized = optional(bool, true)
  }))
  nullable = false

  validation {
    condition     = length(var.routes) > 0
    error_message = "routes must name at least one route."
  }
  validation {
    condition     = alltrue([for key in keys(var.routes) : key == "$default" || can(regex("^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /[A-Za-z0-9_.{}+/-]*$", key))])
    error_message = "each route key must be \"$default\" or \"METHOD /path\" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS and a path of letters, digits, '_', '.', '-', '/', '{param}' or '{proxy+}'."
  }
  validation {
    condition     = alltrue([for r in values(var.routes) : contains(keys(var.functions), r.function)])
    error_message = "every route's function must be a key of functions."
  }
}

variable "functions" {
  description = "The functions routes may target, by key: their name (for the invoke permission) and invoke ARN."
  type = map(object({
    function_name = string
    invoke_arn    = string
  }))
  nullable = false
}

variable "jwt_authorizer" {
  description = "Cognito JWT authorizer for authorized routes: the issuer URL and the accepted audiences (app client ids); null when no route is authorized."
  type = object({
    issuer   = string
    audience = list(string)
  })
  default = null

  validation {
    condition     = var.jwt_authorizer == null || can(regex("^https://", var.jwt_authorizer.issuer))
    error_message = "jwt_authorizer.issuer must be an https:// URL (the user pool's issuer)."
  }
  validation {
    condition     = try(length(var.jwt_authorizer.audience) > 0, true)
    error_message = "jwt_authorizer.audience must list at least one app client id."
  }
  validation {
    condition     = var.jwt_authorizer != null || alltrue([for r in values(var.routes) : !r.authorized])
    error_message = "jwt_authorizer is required when any route is authorized."
  }
}

variable "cors" {
  description = "CORS for browsers: allowed origins (a strict list outside development), extra allowed headers and preflight cache time."
  type = object({
    allow_origins     = list(string)
    allow_headers     = optional(list(string), ["authorization", "content-type"])
    allow_methods     = optional(list(string), ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    max_age_seconds   = optional(number, 600)
    allow_credentials = optional(bool, false)
  })
  nullable = false

  validation {
    condition     = alltrue([for o in var.cors.allow_origins : o == "*" || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", o))])
    error_message = "cors.allow_origins entries must be \"*\" or an origin like https://app.example.com (scheme, host, optional port, no path)."
  }
  validation {
    condition     = !(var.cors.allow_credentials && contains(var.cors.allow_origins, "*"))
    error_message = "cors.allow_credentials cannot be combined with the \"*\" origin: list the origins."
  }
  validation {
    condition     = var.cors.max_age_seconds >= 0 && var.cors.max_age_seconds <= 86400
    error_message = "cors.max_age_seconds must be between 0 and 86400."
  }
}

variable "throttling" {
  description = "Default route throttling of the $default stage: burst requests and steady requests per second."
  type = object({
    burst_limit = optional(number, 1000)
    rate_limit  = optional(number, 2000)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.throttling.burst_limit >= 0 && var.throttling.rate_limit >= 0
    error_message = "throttling.burst_limit and throttling.rate_limit must be >= 0."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the JSON access logs."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "custom_domain" {
  description = "Optional custom domain: its name, an existing ACM certificate ARN (else one is requested with DNS validation) and the Route 53 zone for validation and alias records (else records are left to you)."
  type = object({
    domain_name     = string
    certificate_arn = optional(string)
    zone_id         = optional(string)
  })
  default = null

  validation {
    condition     = try(var.custom_domain.domain_name, null) == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.custom_domain.domain_name))
    error_message = "custom_domain.domain_name must be a lowercase DNS name like api.example.com."
  }
  validation {
    condition     = var.custom_domain == null || try(var.custom_domain.certificate_arn, null) == null || can(regex("^arn:aws[a-z-]*:acm:", var.custom_domain.certificate_arn))
    error_message = "custom_domain.certificate_arn must be an ACM certificate ARN (arn:aws:acm:...)."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the access log group (modules/log_key); null keeps CloudWatch's own encryption."
  type        = string
  default     = null
}
