output "security_group_id" {
  description = "ID of the server's security group."
  value       = aws_security_group.this.id
}

output "eip_public_ip" {
  description = "Public IPv4 address (Elastic IP) of the server."
  value       = aws_eip.this.public_ip
}

output "eip_allocation_id" {
  description = "Allocation id of the server's Elastic IP."
  value       = aws_eip.this.allocation_id
}

output "eip_name" {
  description = "Name tag the server looks its Elastic IP up by at boot."
  value       = local.eip_name
}

output "instance_id" {
  description = "ID of the single instance, or null when an Auto Scaling group runs the server."
  value       = try(aws_instance.this[0].id, null)
}

output "autoscaling_group_name" {
  description = "Name of the Auto Scaling group of one, or null for a single instance."
  value       = try(aws_autoscaling_group.this[0].name, null)
}

output "role_name" {
  description = "Name of the server's IAM role."
  value       = aws_iam_role.this.name
}

output "launch_template_id" {
  description = "ID of the server's launch template."
  value       = aws_launch_template.this.id
}
