output "public_ip" {
  description = "Public IPv4 address (Elastic IP) of the LiveKit server."
  value       = module.host.eip_public_ip
}

output "url" {
  description = "URL clients connect to: wss://<domain> with a domain, else ws://<public ip>:7880."
  value       = local.tls ? "wss://${var.livekit.domain}" : "ws://${module.host.eip_public_ip}:${local.signal_port}"
}

output "security_group_id" {
  description = "ID of the LiveKit server's security group."
  value       = module.host.security_group_id
}

output "instance_id" {
  description = "ID of the single instance, or null when an Auto Scaling group runs the server."
  value       = module.host.instance_id
}

output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group of one, or null for a single instance."
  value       = module.host.autoscaling_group_name
}

output "role_name" {
  description = "Name of the server's IAM role."
  value       = module.host.role_name
}
