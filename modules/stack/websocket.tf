# Real time: the WebSocket API, its $connect authorizer and the ws function
# (chat rooms, presence, encrypted relays, fan-out).

variable "websocket" {
  description = "WebSocket settings: management endpoint override (unset: the API's own, or the local runtime's with local_gateway_endpoint), anonymous connections, stage throttling, fan-out pool, relay cache TTL, account log role."
  type = object({
    management_endpoint           = optional(string)
    anonymous_connections_enabled = optional(bool, false)
    stage_name                    = optional(string, "live")
    throttling_rate_limit         = optional(number, 500)
    throttling_burst_limit        = optional(number, 1000)
    fanout_concurrency            = optional(number, 32)
    relay_cache_ttl_seconds       = optional(number, 3600)
    account_logging_role_enabled  = optional(bool, true)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.websocket.management_endpoint == null || can(regex("^https?://[^/\\s]+(/[^\\s]*)?$", var.websocket.management_endpoint))
    error_message = "websocket.management_endpoint must be null (derive it from the API) or an http(s) URL such as http://127.0.0.1:4566."
  }
  validation {
    condition     = var.websocket.fanout_concurrency >= 1 && var.websocket.fanout_concurrency <= 128
    error_message = "websocket.fanout_concurrency must be between 1 and 128 posts in flight."
  }
  validation {
    condition     = var.websocket.relay_cache_ttl_seconds >= 60 && var.websocket.relay_cache_ttl_seconds <= 86400
    error_message = "websocket.relay_cache_ttl_seconds must be between 60 and 86400 (a relay lives 24 h)."
  }
}

locals {
  # The contract other features use to post to connections: locally the runtime's
  # @connections API at the stage path (tools/runtime/websocket_gateway.py).
  ws_local_endpoint      = var.local_gateway_endpoint == null ? null : "${var.local_gateway_endpoint}/${var.websocket.stage_name}"
  ws_management_endpoint = coalesce(var.websocket.management_endpoint, local.ws_local_endpoint, var.emulator_endpoint, module.websocket.management_endpoint)
  ws_manage_connections = {
    actions   = ["execute-api:ManageConnections"]
    resources = [module.websocket.manage_connections_arn]
  }
  ws_url = module.websocket.websocket_url
}

module "ws_authorizer_function" {
  source = "../lambda_function"

  name    = "${var.name_prefix}-ws-authorizer"
  package = local.packages["ws_authorizer"]
  runtime = merge({ description = "WebSocket $connect authorizer: Cognito JWT from ?token=." }, lookup(local.runtime, "ws_authorizer", {}))
  environment = merge(local.common_environment, {
    JWKS_URL             = local.jwks_url
    JWT_ISSUER           = local.jwt_issuer
    JWT_AUDIENCE         = join(",", local.jwt_audience)
    JWT_TOKEN_USE        = "access,id"
    WS_ANONYMOUS_ENABLED = tostring(var.websocket.anonymous_connections_enabled)
  })
  log_retention_days = var.log_retention_days
}

module "ws_function" {
  source = "../lambda_function"

  name    = "${var.name_prefix}-ws"
  package = local.packages["ws"]
  runtime = merge({ description = "WebSocket routes: rooms, presence, relays, fan-out." }, lookup(local.runtime, "ws", {}))
  environment = merge(local.common_environment, {
    WS_MANAGEMENT_ENDPOINT     = local.ws_management_endpoint
    WS_FANOUT_CONCURRENCY      = tostring(var.websocket.fanout_concurrency)
    WS_RELAY_CACHE_TTL_SECONDS = tostring(var.websocket.relay_cache_ttl_seconds)
  })
  log_retention_days = var.log_retention_days
  policy_statements = {
    table_read_write   = local.table_read_write
    manage_connections = local.ws_manage_connections
  }
}

module "websocket" {
  source = "../websocket"

  name_prefix = var.name_prefix
  handler = {
    function_name = module.ws_function.function_name
    invoke_arn    = module.ws_function.function_invoke_arn
  }
  authorizer = {
    function_name                 = module.ws_authorizer_function.function_name
    invoke_arn                    = module.ws_authorizer_function.function_invoke_arn
    anonymous_connections_enabled = var.websocket.anonymous_connections_enabled
  }
  stage = {
    name                   = var.websocket.stage_name
    throttling_rate_limit  = var.websocket.throttling_rate_limit
    throttling_burst_limit = var.websocket.throttling_burst_limit
  }
  logging = {
    retention_days       = var.log_retention_days
    account_role_enabled = var.websocket.account_logging_role_enabled && !var.emulator
  }
}

output "websocket_url" {
  description = "WebSocket URL clients connect to (append ?token=<Cognito access or id token>)."
  value       = local.ws_url
}

output "websocket_management_endpoint" {
  description = "Endpoint functions post frames to (the local runtime's @connections API locally)."
  value       = local.ws_management_endpoint
}

output "websocket_api_id" {
  description = "ID of the WebSocket API."
  value       = module.websocket.api_id
}

output "websocket_function_names" {
  description = "Deployed function name by function, for the WebSocket feature."
  value = {
    ws            = module.ws_function.function_name
    ws_authorizer = module.ws_authorizer_function.function_name
  }
}
