# The web client: a private bucket that only this distribution can read (Origin
# Access Control), served over HTTPS with security headers, with every unknown
# path answered by /index.html so client-side routes work.

data "aws_partition" "current" {}

locals {
  origin_id        = "site-bucket"
  custom_domain    = var.domain != null
  zone_id          = try(var.domain.route53_zone_id, null)
  create_cert      = local.custom_domain && try(var.domain.certificate_arn, null) == null
  certificate_arn  = local.create_cert ? aws_acm_certificate_validation.this[0].certificate_arn : try(var.domain.certificate_arn, null)
  security_headers = !var.emulator
  # AWS-managed "CachingOptimized" cache policy (a fixed, documented id).
  caching_optimized_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6"
  edge_function_name          = "${var.name_prefix}-site-auth"
}

# Reads only for this distribution; plain HTTP refused (except on the emulator,
# which speaks only HTTP).
module "bucket" {
  source = "../private_bucket"

  name             = "${var.name_prefix}-site"
  force_destroy    = true # build output: 'make deploy-site' publishes it again
  tls_only_enabled = !var.emulator
  policy_statements = {
    CloudFrontReadsThroughOAC = {
      service     = "cloudfront.amazonaws.com"
      actions     = ["s3:GetObject"]
      paths       = ["*"]
      source_arns = [aws_cloudfront_distribution.this.arn]
    }
  }
}

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name_prefix}-site"
  description                       = "${var.name_prefix} web client bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  #checkov:skip=CKV_AWS_259:HSTS is sent with includeSubDomains and a max-age of two years by default; preload commits the whole domain, the owner's choice
  count = local.security_headers ? 1 : 0

  name    = "${var.name_prefix}-site-security"
  comment = "Security headers of the ${var.name_prefix} web client"

  security_headers_config {
    content_security_policy {
      content_security_policy = var.security_headers.content_security_policy
      override                = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = var.security_headers.hsts_max_age_seconds
      include_subdomains         = true
      preload                    = false
      override                   = true
    }
    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_174:TLSv1.2_2021 with a custom domain; with the default *.cloudfront.net certificate the API accepts only TLSv1
  #checkov:skip=CKV_AWS_68:static files behind OAC; a WAF web ACL costs per month and per rule, not a default for a small site
  #checkov:skip=CKV2_AWS_47:no WAF web ACL (see CKV_AWS_68); the origin is S3, no Java to exploit
  #checkov:skip=CKV_AWS_374:users may be anywhere; no geo restriction
  #checkov:skip=CKV_AWS_310:one S3 origin; failover needs a replica bucket in a second region
  enabled             = true
  comment             = "${var.name_prefix} web client"
  default_root_object = "index.html"
  http_version        = "http2and3"
  is_ipv6_enabled     = true
  price_class         = var.price_class
  aliases             = try(var.domain.aliases, [])
  wait_for_deployment = !var.emulator

  origin {
    origin_id   = local.origin_id
    domain_name = module.bucket.bucket_regional_domain_name
    # The emulator drops the attachment when reading back (a change on every plan).
    origin_access_control_id = var.emulator ? null : aws_cloudfront_origin_access_control.this.id
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = local.caching_optimized_policy_id
    response_headers_policy_id = try(aws_cloudfront_response_headers_policy.this[0].id, null)

    # The emulator always reports legacy forwarded values: state them there so
    # a second plan shows no change. AWS uses the cache policy alone.
    dynamic "forwarded_values" {
      for_each = var.emulator ? [1] : []
      content {
        query_string = false
        cookies {
          forward = "none"
        }
      }
    }

    dynamic "lambda_function_association" {
      for_each = var.edge_auth.enabled ? [aws_lambda_function.edge[0].qualified_arn] : []
      content {
        event_type   = "viewer-request"
        lambda_arn   = lambda_function_association.value
        include_body = false
      }
    }
  }

  # SPA fallback: S3 answers 403 for a missing key (the bucket is not listable).
  dynamic "custom_error_response" {
    for_each = [403, 404]
    content {
      error_code            = custom_error_response.value
      response_code         = 200
      response_page_path    = "/index.html"
      error_caching_min_ttl = 10
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom_domain
    acm_certificate_arn            = local.certificate_arn
    ssl_support_method             = local.custom_domain || var.emulator ? "sni-only" : null
    minimum_protocol_version       = local.custom_domain ? "TLSv1.2_2021" : "TLSv1"
  }

  dynamic "logging_config" {
    for_each = var.access_logs.enabled ? [module.logs_bucket[0].bucket_domain_name] : []
    content {
      bucket          = logging_config.value
      prefix          = "cloudfront/"
      include_cookies = false
    }
  }

  depends_on = [module.logs_bucket]
}

# --- custom domain -----------------------------------------------------------

resource "aws_acm_certificate" "this" {
  count    = local.create_cert ? 1 : 0
  provider = aws.us_east_1

  domain_name               = var.domain.aliases[0]
  subject_alternative_names = slice(var.domain.aliases, 1, length(var.domain.aliases))
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = local.create_cert ? toset(var.domain.aliases) : toset([])

  zone_id         = local.zone_id
  name            = one([for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_name if o.domain_name == each.key])
  type            = one([for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_type if o.domain_name == each.key])
  records         = [one([for o in aws_acm_certificate.this[0].domain_validation_options : o.resource_record_value if o.domain_name == each.key])]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count    = local.create_cert ? 1 : 0
  provider = aws.us_east_1

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

resource "aws_route53_record" "alias" {
  for_each = local.zone_id == null ? {} : {
    for pair in setproduct(var.domain.aliases, ["A", "AAAA"]) : "${pair[0]} ${pair[1]}" => { name = pair[0], type = pair[1] }
  }

  zone_id = local.zone_id
  name    = each.value.name
  type    = each.value.type

  alias {
    name                   = aws_cloudfront_distribution.this.domain_name
    zone_id                = aws_cloudfront_distribution.this.hosted_zone_id
    evaluate_target_health = false
  }
}

# --- access logs -------------------------------------------------------------

# CloudFront standard logs are delivered through a bucket ACL grant.
module "logs_bucket" {
  source = "../private_bucket"
  count  = var.access_logs.enabled ? 1 : 0

  name             = "${var.name_prefix}-site-logs"
  force_destroy    = true
  object_ownership = "BucketOwnerPreferred"
  tls_only_enabled = !var.emulator
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  count = var.access_logs.enabled && !var.emulator ? 1 : 0

  bucket = module.logs_bucket[0].bucket_name
  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {}
    expiration {
      days = var.access_logs.retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# --- sign-in at the edge -----------------------------------------------------
# Lambda@Edge: us-east-1, x86_64, a published version, no environment variables
# (its settings are baked into the package by build.py).

resource "aws_iam_role" "edge" {
  count = var.edge_auth.enabled ? 1 : 0

  name                 = "${local.edge_function_name}-role"
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }
    }]
  })
}

# Replicas log in the region that served the request, into
# /aws/lambda/us-east-1.<function>: every region, that group only.
resource "aws_iam_role_policy" "edge" {
  count = var.edge_auth.enabled ? 1 : 0

  name = "${local.edge_function_name}-logs"
  role = aws_iam_role.edge[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Logs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = ["arn:${data.aws_partition.current.partition}:logs:*:*:log-group:/aws/lambda/us-east-1.${local.edge_function_name}:*"]
    }]
  })
}

resource "aws_lambda_function" "edge" {
  #checkov:skip=CKV_AWS_116:viewer-request invocations are synchronous; a dead-letter queue never receives them
  #checkov:skip=CKV_AWS_117:Lambda@Edge cannot run inside a VPC
  #checkov:skip=CKV_AWS_115:CloudFront runs replicas in many regions; a concurrency cap would only fail page loads
  #checkov:skip=CKV_AWS_272:the package is uploaded by terraform from a local file pinned by source_code_hash
  #checkov:skip=CKV_AWS_50:a five-second sign-in check; its replicas log per region and traces would add little
  count    = var.edge_auth.enabled ? 1 : 0
  provider = aws.us_east_1

  function_name    = local.edge_function_name
  description      = "Viewer-request sign-in check of the ${var.name_prefix} web client."
  role             = aws_iam_role.edge[0].arn
  runtime          = "python3.12"
  architectures    = ["x86_64"]
  handler          = var.edge_auth.package.handler
  filename         = var.edge_auth.package.filename
  source_code_hash = var.edge_auth.package.source_code_hash
  memory_size      = 128
  timeout          = 5
  publish          = true

  depends_on = [aws_iam_role_policy.edge]
}

# Earlier versions made the buckets' resources here.
moved {
  from = aws_s3_bucket.this
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.this
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.this
  to   = module.bucket.aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this
  to   = module.bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.this
  to   = module.bucket.aws_s3_bucket_policy.this[0]
}

moved {
  from = aws_s3_bucket.logs[0]
  to   = module.logs_bucket[0].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.logs[0]
  to   = module.logs_bucket[0].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_ownership_controls.logs[0]
  to   = module.logs_bucket[0].aws_s3_bucket_ownership_controls.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.logs[0]
  to   = module.logs_bucket[0].aws_s3_bucket_server_side_encryption_configuration.this
}
