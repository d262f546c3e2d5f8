# coturn on one EC2 server: STUN/TURN on 3478 UDP and TCP, TURN over TLS on
# 5349 TCP and the UDP relay range; with a domain also 80 TCP for the ACME
# HTTP-01 challenges of its certificate. Nothing else is reachable (no SSH).

locals {
  listening_port     = 3478
  tls_listening_port = 5349

  # Relayed traffic must never reach private, loopback or link-local addresses
  # (the VPC, the instance metadata service, other tenants' networks).
  denied_peer_ranges = [
    "0.0.0.0-0.255.255.255",
    "10.0.0.0-10.255.255.255",
    "100.64.0.0-100.127.255.255",
    "127.0.0.0-127.255.255.255",
    "169.254.0.0-169.254.255.255",
    "172.16.0.0-172.31.255.255",
    "192.0.0.0-192.0.0.255",
    "192.168.0.0-192.168.255.255",
    "198.18.0.0-198.19.255.255",
    "::1",
    "64:ff9b::-64:ff9b::ffff:ffff",
    "fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  ]

  name = "${var.name_prefix}-turn"
  acme = var.turn.domain != ""

  # With a domain, Caddy only keeps its certificate (no site is served): it
  # answers ACME HTTP-01 challenges on port 80 while one is pending, renews the
  # certificate before it expires, and has no admin endpoint.
  # certificates/<CA host>-<CA path>/<domain>/<domain>.crt and .key under the storage root.
  acme_ca         = "https://acme-v02.api.letsencrypt.org/directory"
  caddy_storage   = "/data"
  caddy_cert_path = "certificates/${replace(trimprefix(local.acme_ca, "https://"), "/", "-")}/${var.turn.domain}/${var.turn.domain}"
  caddy_config = jsonencode({
    admin   = { disabled = true }
    storage = { module = "file_system", root = local.caddy_storage }
    apps = {
      tls = {
        certificates = { automate = [var.turn.domain] }
        automation = {
          policies = [{
            subjects = [var.turn.domain]
            issuers  = [{ module = "acme", ca = local.acme_ca, challenges = { "tls-alpn" = { disabled = true } } }]
          }]
        }
      }
    }
  })

  user_data = templatefile("${path.module}/templates/cloud-init.sh.tftpl", {
    eip_name                 = "${local.name}-eip"
    secret_arn               = var.turn.secret_arn
    realm                    = var.turn.realm
    listening_port           = local.listening_port
    tls_listening_port       = local.tls_listening_port
    relay_min_port           = var.turn.relay_min_port
    relay_max_port           = var.turn.relay_max_port
    image                    = var.turn.image
    denied_peer_ranges       = local.denied_peer_ranges
    cloudwatch_agent_enabled = var.instance.cloudwatch_agent_enabled
    domain                   = var.turn.domain
    caddy_image              = var.turn.caddy_image
    caddy_config             = local.caddy_config
    caddy_storage            = local.caddy_storage
    caddy_cert_path          = local.caddy_cert_path
  })

  ingress = merge({
    turn_udp  = { protocol = "udp", from_port = local.listening_port, to_port = local.listening_port, description = "STUN/TURN over UDP" }
    turn_tcp  = { protocol = "tcp", from_port = local.listening_port, to_port = local.listening_port, description = "STUN/TURN over TCP" }
    turns_tcp = { protocol = "tcp", from_port = local.tls_listening_port, to_port = local.tls_listening_port, description = "TURN over TLS" }
    relay_udp = { protocol = "udp", from_port = var.turn.relay_min_port, to_port = var.turn.relay_max_port, description = "TURN relay range" }
    }, local.acme ? {
    acme_http = { protocol = "tcp", from_port = 80, to_port = 80, description = "ACME HTTP-01 challenges (Caddy listens only while one is pending)" }
  } : {})
}

module "host" {
  source = "../media_host"

  name        = local.name
  network     = var.network
  instance    = var.instance
  ingress     = local.ingress
  user_data   = local.user_data
  secret_arns = [var.turn.secret_arn]
}
