# The root every environment shares: envs/<env>/main.tf, variables.tf,
# outputs.tf and versions.tf link here, so environments differ only in
# terraform.tfvars, providers.tf and backend.hcl (tests/static/test_hcl.py).
#
# The stack's inputs are declared below the stack, in this file, each with
# bare optional() attributes and a null default: the stack owns every default.
# A new stack input is one variable block and one argument here.

locals {
  name_prefix = "${var.app}-${var.env}"

  # The media servers' AMI: pinned in tfvars, or the latest Amazon Linux 2023
  # (arm64) from the public SSM parameter, looked up only when needed.
  media_ami_id = var.media_servers.ami_id != null ? var.media_servers.ami_id : try(data.aws_ssm_parameter.media_ami[0].insecure_value, null)
}

data "aws_ssm_parameter" "media_ami" {
  count = coalesce(var.media_servers_enabled, false) && var.media_servers.ami_id == null ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
}

module "stack" {
  source = "../../modules/stack"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix             = local.name_prefix
  artifacts_dir           = var.artifacts_dir
  emulator                = var.emulator
  emulator_endpoint       = var.emulator_endpoint
  local_gateway_endpoint  = var.local_gateway_endpoint
  data_protection_enabled = var.data_protection_enabled
  log_retention_days      = var.log_retention_days
  function_overrides      = var.function_overrides
  cors_allowed_origins    = var.cors_allowed_origins
  api_throttling          = var.api_throttling
  api_custom_domain       = var.api_custom_domain
  uploads                 = var.uploads
  app_secrets             = var.app_secrets
  auth                    = var.auth
  google_client_secret    = var.google_client_secret
  calls                   = var.calls
  media_servers_enabled   = var.media_servers_enabled
  media_servers           = merge(var.media_servers, { ami_id = local.media_ami_id })
  monitoring              = var.monitoring
  reminders               = var.reminders
  points_reset            = var.points_reset
  schedule_retry          = var.schedule_retry
  site                    = var.site
  websocket               = var.websocket
  app_declarations        = var.app_declarations
  compliance              = var.compliance

  permissions_boundary_arn = var.permissions_boundary_arn
}

# --- the stack's inputs (modules/stack/variables*.tf has each default) ------

variable "emulator" {
  description = "The stack runs on the local emulator: buckets accept plain HTTP (no TLS-only deny) and slow lifecycle rules are left out."
  type        = bool
  default     = null
}

variable "emulator_endpoint" {
  description = "Root URL of the local emulator as the functions reach it (set by the tooling through TF_VAR_emulator_endpoint); null on AWS."
  type        = string
  default     = null
}

variable "local_gateway_endpoint" {
  description = "Root URL of the local runtime's HTTP and WebSocket gateway; the tooling sets it (TF_VAR_local_gateway_endpoint) for envs/local."
  type        = string
  default     = null
}

variable "data_protection_enabled" {
  description = "Protect data from deletion: table deletion protection and PITR, bucket versioning, retain on destroy (on in prod)."
  type        = bool
  default     = null
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps function and API logs."
  type        = number
  default     = null
}

variable "function_overrides" {
  description = "Per-function memory and timeout, by function name; unset fields keep the module defaults (512 MB, 30 s)."
  type = map(object({
    memory_mb       = optional(number)
    timeout_seconds = optional(number)
  }))
  default = null
}

variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the HTTP API and to use upload URLs; a strict list outside development."
  type        = list(string)
  default     = null
}

variable "api_throttling" {
  description = "Default throttling of the HTTP API's $default stage: burst requests and steady requests per second."
  type = object({
    burst_limit = optional(number)
    rate_limit  = optional(number)
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
    max_size_mb                  = optional(number)
    expire_after_days            = optional(number)
    abort_incomplete_upload_days = optional(number)
    kms_key_arn                  = optional(string)
  })
  default  = {}
  nullable = false
}

variable "app_secrets" {
  description = "Named app secrets (e.g. third-party API keys) by name: a description, the functions that may read it (each gets the APP_SECRETS setting and read access to exactly its secrets), and whether to generate a random value (otherwise set the value outside Terraform)."
  type = map(object({
    description = string
    readers     = list(string)
    generate    = optional(bool)
  }))
  default = null
}

variable "auth" {
  description = "Sign-in settings: the sign-in methods (\"email_otp\", \"google\" or both), e-mail code delivery mode, sender, pool tier and threat protection, MFA, token lifetimes, sign-up at first login, sign-in abuse limits, Google's OAuth client and the identity pool, whose signed-in users may write their own users/<sub>/ prefix of the uploads bucket (deletion protection follows data_protection_enabled)."
  type = object({
    sign_in_methods        = optional(list(string))
    sign_in_mode           = optional(string)
    email_from_address     = optional(string)
    email_from_name        = optional(string)
    email_identity_domain  = optional(string)
    email_identity_arn     = optional(string)
    user_pool_tier         = optional(string)
    threat_protection_mode = optional(string)
    mfa                    = optional(string)
    access_token_minutes   = optional(number)
    id_token_minutes       = optional(number)
    refresh_token_days     = optional(number)
    auto_sign_up           = optional(bool)
    sign_in_limits = optional(object({
      window_seconds         = optional(number)
      per_address            = optional(number)
      per_source_ip          = optional(number)
      new_accounts_per_day   = optional(number)
      new_accounts_alarm_pct = optional(number)
    }))
    google = optional(object({
      client_id     = optional(string)
      domain_prefix = optional(string)
      callback_urls = optional(list(string))
      logout_urls   = optional(list(string))
    }))
    identity_pool_enabled = optional(bool)
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

variable "calls" {
  description = "Matchmaking and call settings: pools users may join, FIFO message groups per pool (1 keeps each pool in strict order), daily points a profile starts with, ticket/session/credential lifetimes and dead-letter receives."
  type = object({
    pools                       = optional(list(string))
    pool_shards                 = optional(number)
    daily_points                = optional(number)
    ticket_ttl_seconds          = optional(number)
    session_ttl_seconds         = optional(number)
    livekit_token_ttl_seconds   = optional(number)
    turn_credential_ttl_seconds = optional(number)
    max_receive_count           = optional(number)
  })
  default  = {}
  nullable = false
}

variable "media_servers_enabled" {
  description = "Run the LiveKit and TURN servers on EC2 (off in dev to save cost; the API keeps working without them)."
  type        = bool
  default     = null
}

variable "media_servers" {
  description = "The media servers: AMI id (Amazon Linux 2023, arm64 for the default types), availability zones, VPC CIDR, instance types, LiveKit domain and UDP mode, TURN realm, self-healing and CloudWatch agent."
  type = object({
    ami_id                   = optional(string)
    availability_zones       = optional(list(string))
    vpc_cidr_block           = optional(string)
    livekit_instance_type    = optional(string)
    turn_instance_type       = optional(string)
    livekit_domain           = optional(string)
    rtc_port_mode            = optional(string)
    turn_realm               = optional(string)
    turn_domain              = optional(string)
    self_healing_enabled     = optional(bool)
    cloudwatch_agent_enabled = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "monitoring" {
  description = "Alarms on or off (on in prod), who is alerted (e-mail addresses, and other subscribers of the alert topic by name: an https webhook such as AWS Chatbot's, a Lambda function or an SQS queue; alarms need at least one) and ERROR metric filters on function logs."
  type = object({
    alarms_enabled = optional(bool)
    alert_emails   = optional(list(string))
    alert_subscriptions = optional(map(object({
      protocol = string
      endpoint = string
    })))
    error_metric_filters_enabled = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "reminders" {
  description = "Reminder delivery: GSI1 shard count, schedule expression, per-run bound, attempts before failing, SES sender (empty = no e-mail) and Expo push endpoint."
  type = object({
    shard_count         = optional(number)
    schedule_expression = optional(string)
    enabled             = optional(bool)
    max_per_run         = optional(number)
    max_attempts        = optional(number)
    email_from          = optional(string)
    push_endpoint       = optional(string)
  })
  default  = {}
  nullable = false
}

variable "points_reset" {
  description = "Daily points reset: schedule expression and the IANA time zone both the schedule and the reset day use, and how many past days a run covers."
  type = object({
    schedule_expression = optional(string)
    timezone            = optional(string)
    enabled             = optional(bool)
    lookback_days       = optional(number)
  })
  default  = {}
  nullable = false
}

variable "schedule_retry" {
  description = "Retries of scheduled invocations before they are dead-lettered: delivery attempts, maximum event age, and an optional alarm target for the dead-letter queue."
  type = object({
    maximum_attempts          = optional(number)
    maximum_event_age_seconds = optional(number)
    alarm_actions             = optional(list(string))
  })
  default  = {}
  nullable = false
}

variable "site" {
  description = "The static site of the web client: on/off, price class, optional custom domain, access logs and sign-in at the edge."
  type = object({
    enabled     = optional(bool)
    price_class = optional(string)
    domain = optional(object({
      aliases         = list(string)
      certificate_arn = optional(string)
      route53_zone_id = optional(string)
    }))
    access_logs_enabled = optional(bool)
    edge_auth_enabled   = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "websocket" {
  description = "WebSocket settings: management endpoint override (normally unset; locally local_gateway_endpoint sets it), anonymous connections, stage throttling, fan-out pool and batch size, relay cache TTL, account log role."
  type = object({
    management_endpoint           = optional(string)
    anonymous_connections_enabled = optional(bool)
    stage_name                    = optional(string)
    throttling_rate_limit         = optional(number)
    throttling_burst_limit        = optional(number)
    fanout_concurrency            = optional(number)
    fanout_batch_size             = optional(number)
    relay_cache_ttl_seconds       = optional(number)
    account_logging_role_enabled  = optional(bool)
  })
  default  = {}
  nullable = false
}

variable "app_declarations" {
  description = "The app declarations (apps/<app>/app.json) whose entities the stack serves, as paths from the env folder, e.g. [\"../../apps/kefir/app.json\"]; several are merged."
  type        = list(string)
  default     = null
}

variable "compliance" {
  description = "Controls that cost money or a release step, on in prod: log groups encrypted with a customer-managed KMS key, and Lambda code signing with the stack's AWS Signer profile."
  type = object({
    log_encryption_enabled = optional(bool)
    code_signing = optional(object({
      enabled                   = optional(bool)
      signature_validity_days   = optional(number)
      untrusted_artifact_action = optional(string)
    }))
  })
  default  = {}
  nullable = false
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of every role the stack creates; for dev, staging and prod the tooling sets it (TF_VAR_permissions_boundary_arn) when the env's bootstrap made one."
  type        = string
  default     = null
}
