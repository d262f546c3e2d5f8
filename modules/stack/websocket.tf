# Real time: the WebSocket API, its $connect authorizer and the ws function
# (chat rooms, presence, encrypted relays, fan-out).

locals {
  websocket_functions = {
    ws_authorizer = {
      description = "WebSocket $connect authorizer: Cognito JWT from ?token=."
      environment = {
        JWKS_URL             = local.jwks_url
        JWT_ISSUER           = local.jwt_issuer
        JWT_AUDIENCE         = join(",", local.jwt_audience)
        JWT_TOKEN_USE        = "access,id"
        WS_ANONYMOUS_ENABLED = tostring(var.websocket.anonymous_connections_enabled)
      }
    }
    ws = {
      description = "WebSocket routes: rooms, presence, relays, fan-out."
      environment = {
        WS_MANAGEMENT_ENDPOINT     = local.ws_management_endpoint
        WS_FANOUT_CONCURRENCY      = tostring(var.websocket.fanout_concurrency)
        WS_FANOUT_BATCH_SIZE       = tostring(var.websocket.fanout_batch_size)
        WS_FANOUT_QUEUE            = module.websocket.fanout_queue_name
        WS_RELAY_CACHE_TTL_SECONDS = tostring(var.websocket.relay_cache_ttl_seconds)
        # Message attachments are uploads (api.tf): each must exist and be at most the upload limit.
        UPLOADS_BUCKET   = module.uploads.bucket_name
        UPLOAD_MAX_BYTES = tostring(var.uploads.max_size_mb * 1024 * 1024)
      }
      statements = merge(
        {
          table_read_write   = local.table_read_write
          manage_connections = local.ws_manage_connections
          queue_fanout_batches = {
            actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
            resources = [module.websocket.fanout_queue_arn]
          }
          # HeadObject of an attachment (s3:GetObject covers it) and the read URLs a message frame carries; never a write.
          uploads_read = { actions = ["s3:GetObject"], resources = ["${module.uploads.bucket_arn}/users/*"] }
        },
        var.uploads.kms_key_arn == null ? {} : {
          uploads_key = { actions = ["kms:Decrypt"], resources = [var.uploads.kms_key_arn] }
        },
      )
    }
    fanout = {
      description = "Big rooms' fan-out: posts the queued batches of connections, prunes the gone ones, queues the failed ones again."
      environment = {
        WS_MANAGEMENT_ENDPOINT = local.ws_management_endpoint
        WS_FANOUT_CONCURRENCY  = tostring(var.websocket.fanout_concurrency)
        WS_FANOUT_QUEUE        = module.websocket.fanout_queue_name
        WS_FANOUT_DLQ          = module.websocket.fanout_dlq_name
      }
      statements = {
        manage_connections = local.ws_manage_connections
        # Connections.drop of a gone connection: its item, then its presence in each room.
        prune_connections = {
          actions   = ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]
          resources = [module.table.table_arn]
        }
        consume_batches = {
          actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
          resources = [module.websocket.fanout_queue_arn]
        }
        # Failed connections go back to the queue as a smaller batch, after the last attempt to the dead-letter queue.
        requeue_batches = {
          actions   = ["sqs:GetQueueUrl", "sqs:SendMessage"]
          resources = [module.websocket.fanout_queue_arn, module.websocket.fanout_dlq_arn]
        }
      }
    }
  }

  # The contract other features use to post to connections: locally the runtime's
  # @connections API at the stage path (tools/runtime/websocket_gateway.py).
  ws_local_endpoint      = var.local_gateway_endpoint == null ? null : "${var.local_gateway_endpoint}/${var.websocket.stage_name}"
  ws_management_endpoint = coalesce(var.websocket.management_endpoint, local.ws_local_endpoint, var.emulator_endpoint, module.websocket.management_endpoint)
  ws_manage_connections = {
    actions   = ["execute-api:ManageConnections"]
    resources = [module.websocket.manage_connections_arn]
  }
}

module "websocket" {
  source = "../websocket"

  name_prefix = var.name_prefix
  handler = {
    function_name = module.function["ws"].function_name
    invoke_arn    = module.function["ws"].function_invoke_arn
  }
  authorizer = {
    function_name                 = module.function["ws_authorizer"].function_name
    invoke_arn                    = module.function["ws_authorizer"].function_invoke_arn
    anonymous_connections_enabled = var.websocket.anonymous_connections_enabled
  }
  stage = {
    name                   = var.websocket.stage_name
    throttling_rate_limit  = var.websocket.throttling_rate_limit
    throttling_burst_limit = var.websocket.throttling_burst_limit
  }
  logging = {
    retention_days       = var.log_retention_days
    kms_key_arn          = local.log_kms_key_arn
    account_role_enabled = var.websocket.account_logging_role_enabled && !var.emulator
  }
  fanout_worker_function_name = module.function["fanout"].function_name
  fanout_queue = {
    visibility_timeout_seconds = 180 # Six times the worker's 30 s timeout.
  }
  permissions_boundary_arn = var.permissions_boundary_arn
}
