# The web client's static site: private bucket + CloudFront, optionally behind
# a custom domain and a sign-in check at the edge. 'make deploy-site' publishes
# a built client to it.

locals {
  edge_artifact = lookup(local.manifest, "edge_auth", null)
}

module "site" {
  count  = var.site.enabled ? 1 : 0
  source = "../static_site"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name_prefix = var.name_prefix
  emulator    = var.emulator
  price_class = var.site.price_class
  domain      = var.site.domain
  access_logs = { enabled = var.site.access_logs_enabled }
  edge_auth = {
    enabled = var.site.edge_auth_enabled
    # Lambda@Edge takes its code from a bucket in us-east-1 or a local file: the zip itself.
    package = var.site.edge_auth_enabled && local.edge_artifact != null ? {
      filename         = "${var.artifacts_dir}/${local.edge_artifact.path}"
      source_code_hash = local.edge_artifact.sha256
      handler          = local.edge_artifact.handler
      config_sha256    = lookup(local.edge_artifact, "config_sha256", null)
    } : null
  }
  permissions_boundary_arn = var.permissions_boundary_arn
}
