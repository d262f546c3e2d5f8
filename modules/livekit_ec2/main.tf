# LiveKit (the WebRTC media server) on one EC2 server. Signalling on 7880, or
# on 443 through Caddy when a domain is set; ICE over TCP on 7881; media on a
# UDP range or one muxed UDP port. Nothing else is reachable (no SSH).

locals {
  name         = "${var.name_prefix}-livekit"
  signal_port  = 7880
  rtc_tcp_port = 7881
  tls          = var.livekit.domain != ""

  user_data = templatefile("${path.module}/templates/cloud-init.sh.tftpl", {
    eip_name                 = "${local.name}-eip"
    secret_arn               = var.livekit.secret_arn
    signal_port              = local.signal_port
    rtc_tcp_port             = local.rtc_tcp_port
    rtc_port_mode            = var.livekit.rtc_port_mode
    rtc_udp_port             = var.livekit.udp_port
    port_range_start         = var.livekit.port_range_start
    port_range_end           = var.livekit.port_range_end
    domain                   = var.livekit.domain
    image                    = var.livekit.image
    caddy_image              = var.livekit.caddy_image
    cloudwatch_agent_enabled = var.instance.cloudwatch_agent_enabled
  })

  signal_rule = local.tls ? {
    https = { protocol = "tcp", from_port = 443, to_port = 443, description = "Signalling over TLS (Caddy)" }
    } : {
    signal = { protocol = "tcp", from_port = local.signal_port, to_port = local.signal_port, description = "Signalling (HTTP/WebSocket)" }
  }
  media_rule = var.livekit.rtc_port_mode == "single" ? {
    rtc_udp = { protocol = "udp", from_port = var.livekit.udp_port, to_port = var.livekit.udp_port, description = "WebRTC over UDP (one muxed port)" }
    } : {
    rtc_udp = { protocol = "udp", from_port = var.livekit.port_range_start, to_port = var.livekit.port_range_end, description = "WebRTC over UDP" }
  }
  ingress = merge(local.signal_rule, local.media_rule, {
    rtc_tcp = { protocol = "tcp", from_port = local.rtc_tcp_port, to_port = local.rtc_tcp_port, description = "WebRTC ICE over TCP" }
  })
}

module "host" {
  source = "../media_host"

  name        = local.name
  network     = var.network
  instance    = var.instance
  ingress     = local.ingress
  user_data   = local.user_data
  secret_arns = [var.livekit.secret_arn]
}
