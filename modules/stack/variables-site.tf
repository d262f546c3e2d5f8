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
