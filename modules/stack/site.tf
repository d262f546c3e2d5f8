# The web client's static site: private bucket + CloudFront, optionally behind
# a custom domain and a sign-in check at the edge. 'make deploy-site' publishes
# a built client to it.

variable "site" {
  description = "The static site of the web client: on/off, price class, optional custom domain, access logs and sign-in at the edge."
  type = object({
    enabled     = optional(bool, false)
    price_class = optional(string, "PriceClass_100")
    domain = optional(object({
      aliases         = list(string)
      certificate_arn = optional(string)
      route53_zone_id = optional(string)
    }))
    access_logs_enabled = optional(bool, false)
    edge_auth_enabled   = optional(bool, false)
  })
  default  = {}
  nullable = false
}

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
}

output "site_url" {
  description = "HTTPS URL of the web client (null when the site is off)."
  value       = try(module.site[0].site_url, null)
}

output "site_bucket_name" {
  description = "Bucket 'make deploy-site' uploads the built web client to (null when the site is off)."
  value       = try(module.site[0].bucket_name, null)
}

output "site_distribution_id" {
  description = "CloudFront distribution id 'make deploy-site' invalidates (null when the site is off)."
  value       = try(module.site[0].distribution_id, null)
}

output "site_function_names" {
  description = "Deployed function name by function for the site (the edge sign-in check, when on)."
  value       = var.site.enabled && var.site.edge_auth_enabled ? { edge_auth = "${var.name_prefix}-site-auth" } : {}
}
