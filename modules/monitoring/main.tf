# Where alerts go (one encrypted SNS topic), what raises them (alarms built from
# the watched resources) and one dashboard of the same resources.

data "aws_partition" "current" {}

# Offline: the provider's configured region, no API call.
data "aws_region" "current" {}

locals {
  w = var.watched
  t = var.thresholds

  # Every watched resource by kind: the metric dimension's value, how alarm
  # descriptions name it, and (work queues) a threshold of its own.
  log_namespace = "${var.name_prefix}/Logs"
  targets = {
    functions      = { for k, name in local.w.functions : k => { value = name, label = name, threshold = null } }
    http_apis      = { for k, id in local.w.http_apis : k => { value = id, label = k, threshold = null } }
    websocket_apis = { for k, id in local.w.websocket_apis : k => { value = id, label = k, threshold = null } }
    tables         = { for k, name in local.w.tables : k => { value = name, label = name, threshold = null } }
    dead_letters   = { for k, name in local.w.dead_letter_queues : k => { value = name, label = name, threshold = null } }
    work_queues    = { for k, q in local.w.work_queues : k => { value = q.queue_name, label = q.queue_name, threshold = q.max_age_seconds } }
    instances      = { for k, id in local.w.instances : k => { value = id, label = "${k} (${id})", threshold = null } }
  }

  # One definition per kind of alarm, applied to every watched resource of its
  # kind ("<kind>-<key>"), so each threshold, period and missing-data rule sit
  # side by side. A silent instance is a dead one: status checks treat missing
  # data as breaching. "{label}" and "{threshold}" fill each description.
  alarm_definitions = {
    lambda-errors = {
      targets     = "functions", namespace = "AWS/Lambda", metric = "Errors", dimension = "FunctionName"
      statistic   = "Sum", extended = null, period = 60, evaluations = 1, threshold = local.t.lambda_errors_per_minute, missing = "notBreaching"
      description = "Function {label} reports more than {threshold} errors in a minute."
    }
    lambda-throttles = {
      targets     = "functions", namespace = "AWS/Lambda", metric = "Throttles", dimension = "FunctionName"
      statistic   = "Sum", extended = null, period = 60, evaluations = 1, threshold = local.t.lambda_throttles_per_minute, missing = "notBreaching"
      description = "Function {label} is throttled more than {threshold} times in a minute."
    }
    lambda-duration-p95 = {
      targets     = "functions", namespace = "AWS/Lambda", metric = "Duration", dimension = "FunctionName"
      statistic   = null, extended = "p95", period = 300, evaluations = 1, threshold = local.t.lambda_duration_p95_ms, missing = "notBreaching"
      description = "Function {label} takes longer than {threshold} ms at the 95th percentile over 5 minutes."
    }
    http-5xx = {
      targets     = "http_apis", namespace = "AWS/ApiGateway", metric = "5xx", dimension = "ApiId"
      statistic   = "Sum", extended = null, period = 60, evaluations = 1, threshold = local.t.http_5xx_per_minute, missing = "notBreaching"
      description = "HTTP API {label} returns more than {threshold} 5xx responses in a minute."
    }
    http-4xx = {
      targets     = "http_apis", namespace = "AWS/ApiGateway", metric = "4xx", dimension = "ApiId"
      statistic   = "Sum", extended = null, period = 300, evaluations = 1, threshold = local.t.http_4xx_per_5_minutes, missing = "notBreaching"
      description = "HTTP API {label} returns more than {threshold} 4xx responses in 5 minutes."
    }
    websocket-integration-errors = {
      targets     = "websocket_apis", namespace = "AWS/ApiGateway", metric = "IntegrationError", dimension = "ApiId"
      statistic   = "Sum", extended = null, period = 300, evaluations = 1, threshold = local.t.websocket_integration_errors_per_5_minutes, missing = "notBreaching"
      description = "WebSocket API {label} has more than {threshold} integration errors in 5 minutes."
    }
    dynamodb-read-throttles = {
      targets     = "tables", namespace = "AWS/DynamoDB", metric = "ReadThrottleEvents", dimension = "TableName"
      statistic   = "Sum", extended = null, period = 60, evaluations = 1, threshold = local.t.dynamodb_throttles_per_minute, missing = "notBreaching"
      description = "Table {label} throttles more than {threshold} reads in a minute."
    }
    dynamodb-write-throttles = {
      targets     = "tables", namespace = "AWS/DynamoDB", metric = "WriteThrottleEvents", dimension = "TableName"
      statistic   = "Sum", extended = null, period = 60, evaluations = 1, threshold = local.t.dynamodb_throttles_per_minute, missing = "notBreaching"
      description = "Table {label} throttles more than {threshold} writes in a minute."
    }
    dlq-visible = {
      targets     = "dead_letters", namespace = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", dimension = "QueueName"
      statistic   = "Maximum", extended = null, period = 300, evaluations = 1, threshold = local.t.dead_letter_messages, missing = "notBreaching"
      description = "Dead-letter queue {label} holds more than {threshold} messages: something failed for good."
    }
    queue-oldest-age = {
      targets     = "work_queues", namespace = "AWS/SQS", metric = "ApproximateAgeOfOldestMessage", dimension = "QueueName"
      statistic   = "Maximum", extended = null, period = 300, evaluations = 1, threshold = null, missing = "notBreaching"
      description = "The oldest message on {label} is older than {threshold} s: the consumer is stuck or too slow."
    }
    ec2-cpu = {
      targets     = "instances", namespace = "AWS/EC2", metric = "CPUUtilization", dimension = "InstanceId"
      statistic   = "Average", extended = null, period = 300, evaluations = 2, threshold = local.t.ec2_cpu_percent, missing = "missing"
      description = "Instance {label} runs above {threshold}% CPU for 10 minutes."
    }
    ec2-status-check = {
      targets     = "instances", namespace = "AWS/EC2", metric = "StatusCheckFailed", dimension = "InstanceId"
      statistic   = "Maximum", extended = null, period = 60, evaluations = 2, threshold = 0, missing = "breaching"
      description = "Instance {label} fails its system or instance status check."
    }
    # The ERROR line count of each function's log group (its own metric, no dimension).
    log-errors = {
      targets     = var.error_metric_filters_enabled ? "functions" : "none", namespace = local.log_namespace, metric = null, dimension = null
      statistic   = "Sum", extended = null, period = 300, evaluations = 1, threshold = local.t.log_error_lines_per_5_minutes, missing = "notBreaching"
      description = "Function {label} logs more than {threshold} ERROR lines in 5 minutes."
    }
  }

  alarms = var.alarms_enabled ? {
    for alarm in flatten([
      for kind, d in local.alarm_definitions : [
        for k, target in lookup(local.targets, d.targets, {}) : merge(d, {
          key         = "${kind}-${k}"
          metric      = coalesce(d.metric, "ErrorLines-${k}")
          dimensions  = d.dimension == null ? {} : { (d.dimension) = target.value }
          threshold   = coalesce(target.threshold, d.threshold)
          description = replace(replace(d.description, "{label}", target.label), "{threshold}", tostring(coalesce(target.threshold, d.threshold)))
        })
      ]
    ]) : alarm.key => alarm
  } : {}
}

# CloudWatch can only publish to an encrypted topic when the key lets it; an
# AWS-managed SNS key does not, so the topic gets a key of its own.
resource "aws_kms_key" "alerts" {
  description             = "${var.name_prefix} alert topic"
  enable_key_rotation     = true
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "alerts" {
  name          = "alias/${var.name_prefix}-alerts"
  target_key_id = aws_kms_key.alerts.key_id
}

resource "aws_sns_topic" "this" {
  name              = "${var.name_prefix}-alerts"
  kms_master_key_id = aws_kms_key.alerts.arn
}

# The account comes from the topic's ARN: no credentials-needing data source.
resource "aws_kms_key_policy" "alerts" {
  key_id = aws_kms_key.alerts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${split(":", aws_sns_topic.this.arn)[4]}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchPublishes"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "other" {
  for_each = var.alert_subscriptions

  topic_arn = aws_sns_topic.this.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

resource "aws_cloudwatch_log_metric_filter" "errors" {
  for_each = var.error_metric_filters_enabled ? local.w.functions : {}

  name           = "${var.name_prefix}-error-lines-${each.key}"
  log_group_name = "/aws/lambda/${each.value}"
  pattern        = "ERROR"

  metric_transformation {
    namespace     = local.log_namespace
    name          = "ErrorLines-${each.key}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended
  period              = each.value.period
  evaluation_periods  = each.value.evaluations
  datapoints_to_alarm = each.value.evaluations
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = each.value.missing
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]

  depends_on = [aws_cloudwatch_log_metric_filter.errors]
}

# The dashboard: one graph per concern, each listing the watched resources'
# real metrics; graphs with nothing to show are left out.
locals {
  region = data.aws_region.current.name

  queues = merge(
    { for k, q in local.w.work_queues : k => q.queue_name },
    { for k, name in local.w.dead_letter_queues : "dlq-${k}" => name },
  )

  graphs = [
    { title = "HTTP API requests and errors", stat = "Sum", metrics = concat([], [
      for k, id in local.w.http_apis : [
        ["AWS/ApiGateway", "Count", "ApiId", id, { label = "${k} requests" }],
        ["AWS/ApiGateway", "4xx", "ApiId", id, { label = "${k} 4xx" }],
        ["AWS/ApiGateway", "5xx", "ApiId", id, { label = "${k} 5xx" }],
      ]
    ]...) },
    { title = "HTTP API latency (p95, ms)", stat = "p95", metrics = concat([], [
      for k, id in local.w.http_apis : [
        ["AWS/ApiGateway", "Latency", "ApiId", id, { label = "${k} latency" }],
        ["AWS/ApiGateway", "IntegrationLatency", "ApiId", id, { label = "${k} integration" }],
      ]
    ]...) },
    { title = "WebSocket connections and messages", stat = "Sum", metrics = concat([], [
      for k, id in local.w.websocket_apis : [
        ["AWS/ApiGateway", "ConnectCount", "ApiId", id, { label = "${k} connects" }],
        ["AWS/ApiGateway", "MessageCount", "ApiId", id, { label = "${k} messages" }],
      ]
    ]...) },
    { title = "WebSocket errors", stat = "Sum", metrics = concat([], [
      for k, id in local.w.websocket_apis : [
        ["AWS/ApiGateway", "IntegrationError", "ApiId", id, { label = "${k} integration" }],
        ["AWS/ApiGateway", "ClientError", "ApiId", id, { label = "${k} client" }],
        ["AWS/ApiGateway", "ExecutionError", "ApiId", id, { label = "${k} execution" }],
      ]
    ]...) },
    { title = "Lambda invocations", stat = "Sum", metrics = [
      for k, name in local.w.functions : ["AWS/Lambda", "Invocations", "FunctionName", name, { label = k }]
    ] },
    { title = "Lambda errors and throttles", stat = "Sum", metrics = concat([], [
      for k, name in local.w.functions : [
        ["AWS/Lambda", "Errors", "FunctionName", name, { label = "${k} errors" }],
        ["AWS/Lambda", "Throttles", "FunctionName", name, { label = "${k} throttles" }],
      ]
    ]...) },
    { title = "Lambda duration (p95, ms)", stat = "p95", metrics = [
      for k, name in local.w.functions : ["AWS/Lambda", "Duration", "FunctionName", name, { label = k }]
    ] },
    { title = "DynamoDB consumed capacity", stat = "Sum", metrics = concat([], [
      for k, name in local.w.tables : [
        ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", name, { label = "${k} reads" }],
        ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", name, { label = "${k} writes" }],
      ]
    ]...) },
    { title = "DynamoDB latency (ms)", stat = "Average", metrics = concat([], [
      for k, name in local.w.tables : [
        for op in ["GetItem", "Query", "PutItem", "UpdateItem", "TransactWriteItems"] :
        ["AWS/DynamoDB", "SuccessfulRequestLatency", "TableName", name, "Operation", op, { label = "${k} ${op}" }]
      ]
    ]...) },
    { title = "DynamoDB throttles", stat = "Sum", metrics = concat([], [
      for k, name in local.w.tables : [
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", name, { label = "${k} reads" }],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", name, { label = "${k} writes" }],
      ]
    ]...) },
    { title = "Queue depth", stat = "Maximum", metrics = [
      for k, name in local.queues : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name, { label = k }]
    ] },
    { title = "Queue oldest message age (s)", stat = "Maximum", metrics = [
      for k, name in local.queues : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", name, { label = k }]
    ] },
    { title = "EC2 CPU (%)", stat = "Average", metrics = [
      for k, id in local.w.instances : ["AWS/EC2", "CPUUtilization", "InstanceId", id, { label = k }]
    ] },
    { title = "ERROR log lines", stat = "Sum", metrics = [
      for k, name in(var.error_metric_filters_enabled ? local.w.functions : {}) : [local.log_namespace, "ErrorLines-${k}", { label = k }]
    ] },
  ]

  widgets = concat(
    [{
      type = "text", width = 24, height = 2
      properties = {
        markdown = "# ${var.name_prefix}\nAlerts go to SNS topic `${var.name_prefix}-alerts`. Alarms are ${var.alarms_enabled ? "on" : "off"} in this environment."
      }
    }],
    [for g in local.graphs : {
      type = "metric", width = 12, height = 6
      properties = {
        title   = g.title
        region  = local.region
        stat    = g.stat
        period  = 60
        view    = "timeSeries"
        stacked = false
        metrics = g.metrics
      }
    } if length(g.metrics) > 0],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({ widgets = local.widgets })
}
