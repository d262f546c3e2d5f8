# The WebSocket API: frames are routed on their "action" field; $connect is
# guarded by a REQUEST authorizer reading ?token=; every route is served by one
# function. The stage throttles and writes JSON access logs.

locals {
  route_keys = setunion(["$connect", "$disconnect", "$default"], var.actions)

  # Known from the API alone (not the stage), so functions can read them without a cycle.
  # api_endpoint is wss://{api}.execute-api.{region}.amazonaws.com (some emulators say https://).
  api_host               = replace(aws_apigatewayv2_api.this.api_endpoint, "/^[a-z]+:\\/\\//", "")
  websocket_url          = "wss://${local.api_host}/${var.stage.name}"
  management_endpoint    = "https://${local.api_host}/${var.stage.name}"
  manage_connections_arn = "${aws_apigatewayv2_api.this.execution_arn}/${var.stage.name}/*/@connections/*"

  access_log_format = jsonencode({
    requestId        = "$context.requestId"
    requestTime      = "$context.requestTime"
    routeKey         = "$context.routeKey"
    eventType        = "$context.eventType"
    connectionId     = "$context.connectionId"
    status           = "$context.status"
    sourceIp         = "$context.identity.sourceIp"
    principalId      = "$context.authorizer.principalId"
    authorizerError  = "$context.authorizer.error"
    integrationError = "$context.integration.error"
    latencyMs        = "$context.integration.latency"
  })
}

data "aws_partition" "current" {}

resource "aws_apigatewayv2_api" "this" {
  name                       = "${var.name_prefix}-ws"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
  description                = "Real-time chat rooms and encrypted relays."
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                    = aws_apigatewayv2_api.this.id
  integration_type          = "AWS_PROXY"
  integration_method        = "POST"
  integration_uri           = var.handler.invoke_arn
  content_handling_strategy = "CONVERT_TO_TEXT"
}

resource "aws_apigatewayv2_authorizer" "this" {
  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name_prefix}-ws-token"
  authorizer_type  = "REQUEST"
  authorizer_uri   = var.authorizer.invoke_arn
  identity_sources = var.authorizer.anonymous_connections_enabled ? [] : ["route.request.querystring.token"]
}

resource "aws_apigatewayv2_route" "this" {
  #checkov:skip=CKV_AWS_309:WebSocket APIs authorize only $connect (the token authorizer); later routes ride that connection
  for_each = local.route_keys

  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.key
  target             = "integrations/${aws_apigatewayv2_integration.this.id}"
  authorization_type = each.key == "$connect" ? "CUSTOM" : "NONE"
  authorizer_id      = each.key == "$connect" ? aws_apigatewayv2_authorizer.this.id : null
}

resource "aws_cloudwatch_log_group" "access" {
  #checkov:skip=CKV_AWS_338:retention is logging.retention_days, chosen per environment
  name              = "/aws/apigateway/${var.name_prefix}-ws"
  retention_in_days = var.logging.retention_days
  kms_key_id        = var.logging.kms_key_arn
}

# API Gateway writes WebSocket logs through one account-wide role. Set it here
# only where nothing else in the account manages it.
resource "aws_iam_role" "account_logging" {
  count = var.logging.account_role_enabled ? 1 : 0

  name                 = "${var.name_prefix}-apigw-logs"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "apigateway.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "account_logging" {
  count = var.logging.account_role_enabled ? 1 : 0

  role       = aws_iam_role.account_logging[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count = var.logging.account_role_enabled ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.account_logging[0].arn
  depends_on          = [aws_iam_role_policy_attachment.account_logging]
}

resource "aws_apigatewayv2_stage" "this" {
  #checkov:skip=CKV2_AWS_51:WebSocket APIs do not support client certificates; $connect is authorized by token
  api_id      = aws_apigatewayv2_api.this.id
  name        = var.stage.name
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit    = var.stage.throttling_rate_limit
    throttling_burst_limit   = var.stage.throttling_burst_limit
    detailed_metrics_enabled = var.stage.detailed_metrics_enabled
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = local.access_log_format
  }

  depends_on = [aws_apigatewayv2_route.this, aws_api_gateway_account.this]
}

resource "aws_lambda_permission" "handler" {
  statement_id  = "AllowWebSocketRoutes"
  action        = "lambda:InvokeFunction"
  function_name = var.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*"
}

resource "aws_lambda_permission" "authorizer" {
  statement_id  = "AllowWebSocketAuthorizer"
  action        = "lambda:InvokeFunction"
  function_name = var.authorizer.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.this.id}"
}
