# One deployed function: its role (logs + the statements passed in), its log
# group (created first, so retention applies from the first line), the function
# itself (arm64, python3.12, code from the artifacts bucket) and who may invoke it.

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:retention is log_retention_days, chosen per environment
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-role"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

# The runtime's own needs (logs, tracing) and the caller's statements are two
# policies, so the caller's statements are fully known at plan time.
resource "aws_iam_role_policy" "runtime" {
  name = "${var.name}-runtime"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.this.arn}:*"]
      }],
      var.runtime.tracing_enabled ? [{
        Sid      = "Tracing"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"] # X-Ray actions support no resource-level permissions.
      }] : [],
    )
  })
}

resource "aws_iam_role_policy" "this" {
  count = length(var.policy_statements) > 0 ? 1 : 0

  name = "${var.name}-policy"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [for key, s in var.policy_statements : {
      Sid      = join("", [for part in split("_", replace(key, "-", "_")) : title(part)])
      Effect   = "Allow"
      Action   = s.actions
      Resource = s.resources
    }]
  })
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:invoked synchronously or by SQS/schedules, whose own retries and DLQs apply
  #checkov:skip=CKV_AWS_117:reaches only AWS APIs and the public WebSocket endpoint; a VPC would add NAT cost, no isolation
  #checkov:skip=CKV_AWS_173:environment holds settings only; secrets are read from Secrets Manager at run time
  function_name                  = var.name
  description                    = var.runtime.description
  role                           = aws_iam_role.this.arn
  runtime                        = "python3.12"
  architectures                  = ["arm64"]
  handler                        = var.package.handler
  s3_bucket                      = var.package.s3_bucket
  s3_key                         = var.package.s3_key
  source_code_hash               = var.package.source_code_hash
  memory_size                    = var.runtime.memory_mb
  timeout                        = var.runtime.timeout_seconds
  reserved_concurrent_executions = var.runtime.reserved_concurrency
  code_signing_config_arn        = var.code_signing_config_arn

  ephemeral_storage {
    size = var.runtime.ephemeral_storage_mb
  }

  environment {
    variables = merge({ POWERTOOLS_SERVICE_NAME = "parley" }, var.environment)
  }

  tracing_config {
    mode = var.runtime.tracing_enabled ? "Active" : "PassThrough"
  }

  depends_on = [aws_cloudwatch_log_group.this, aws_iam_role_policy.runtime, aws_iam_role_policy.this]
}

resource "aws_lambda_permission" "this" {
  for_each = var.invoke_permissions

  statement_id  = each.key
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.arn
  principal     = each.value.principal
  source_arn    = each.value.source_arn
}
