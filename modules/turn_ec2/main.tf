# coturn on one EC2 server: STUN/TURN on 3478 UDP and TCP, TURN over TLS on
# 5349 TCP and the UDP relay range; nothing else is reachable (no SSH).

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
  })

  ingress = {
    turn_udp  = { protocol = "udp", from_port = local.listening_port, to_port = local.listening_port, description = "STUN/TURN over UDP" }
    turn_tcp  = { protocol = "tcp", from_port = local.listening_port, to_port = local.listening_port, description = "STUN/TURN over TCP" }
    turns_tcp = { protocol = "tcp", from_port = local.tls_listening_port, to_port = local.tls_listening_port, description = "TURN over TLS" }
    relay_udp = { protocol = "udp", from_port = var.turn.relay_min_port, to_port = var.turn.relay_max_port, description = "TURN relay range" }
  }
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
