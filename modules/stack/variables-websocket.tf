variable "websocket" {
  description = "WebSocket settings: management endpoint override (unset: the API's own, or the local runtime's with local_gateway_endpoint), anonymous connections, stage throttling, fan-out pool, fan-out batch size (audiences beyond it are posted in batches of it, all but the first by the fanout function from a queue), relay cache TTL, account log role."
  type = object({
    management_endpoint           = optional(string)
    anonymous_connections_enabled = optional(bool, false)
    stage_name                    = optional(string, "live")
    throttling_rate_limit         = optional(number, 500)
    throttling_burst_limit        = optional(number, 1000)
    fanout_concurrency            = optional(number, 64)
    fanout_batch_size             = optional(number, 500)
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
    condition     = var.websocket.fanout_batch_size >= 1 && var.websocket.fanout_batch_size <= 10000 && floor(var.websocket.fanout_batch_size) == var.websocket.fanout_batch_size
    error_message = "websocket.fanout_batch_size must be a whole number of connections between 1 and 10000."
  }
  validation {
    condition     = var.websocket.relay_cache_ttl_seconds >= 60 && var.websocket.relay_cache_ttl_seconds <= 86400
    error_message = "websocket.relay_cache_ttl_seconds must be between 60 and 86400 (a relay lives 24 h)."
  }
}
