# One public media server: a security group with exactly the given ports, an
# Elastic IP the server attaches to itself at boot (so a replacement from the
# Auto Scaling group keeps the address), a launch template (IMDSv2 only,
# encrypted gp3 root volume, no key pair) and either one instance or an Auto
# Scaling group of one. Access is through SSM Session Manager, never SSH.

data "aws_partition" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  subnet_ids = [for az in sort(keys(var.network.subnet_ids)) : var.network.subnet_ids[az]]
  eip_name   = "${var.name}-eip"
}

resource "aws_security_group" "this" {
  #checkov:skip=CKV_AWS_382:media is relayed to any peer address and UDP port (ICE/TURN); egress cannot be narrowed to known ports
  name        = var.name
  description = "Media ports of ${var.name}"
  vpc_id      = var.network.vpc_id

  dynamic "ingress" {
    for_each = var.ingress
    content {
      description = ingress.value.description
      protocol    = ingress.value.protocol
      from_port   = ingress.value.from_port
      to_port     = ingress.value.to_port
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  egress {
    description = "Relayed media, package installs and AWS APIs"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = var.name }
}

resource "aws_eip" "this" {
  domain = "vpc"
  tags   = { Name = local.eip_name }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-role"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.instance.permissions_boundary_arn
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy_attachment" "cloudwatch_agent" {
  count = var.instance.cloudwatch_agent_enabled ? 1 : 0

  role       = aws_iam_role.this.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/CloudWatchAgentServerPolicy"
}

data "aws_iam_policy_document" "boot" {
  statement {
    sid       = "FindOwnAddress"
    actions   = ["ec2:DescribeAddresses"]
    resources = ["*"] # Describe actions support no resource-level permissions.
  }
  statement {
    sid     = "AttachOwnAddress"
    actions = ["ec2:AssociateAddress"]
    resources = [
      "arn:${local.partition}:ec2:*:*:elastic-ip/${aws_eip.this.allocation_id}",
      "arn:${local.partition}:ec2:*:*:instance/*",
      "arn:${local.partition}:ec2:*:*:network-interface/*",
    ]
  }
}

resource "aws_iam_role_policy" "secrets" {
  count = length(var.secret_arns) > 0 ? 1 : 0

  name = "${var.name}-secrets"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReadBootSecrets"
      Effect   = "Allow"
      Action   = ["secretsmanager:GetSecretValue"]
      Resource = var.secret_arns
    }]
  })
}

resource "aws_iam_role_policy" "boot" {
  name   = "${var.name}-boot"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.boot.json
}

resource "aws_iam_instance_profile" "this" {
  name = "${var.name}-profile"
  role = aws_iam_role.this.name
}

resource "aws_launch_template" "this" {
  name                   = var.name
  image_id               = var.instance.ami_id
  instance_type          = var.instance.instance_type
  user_data              = base64encode(var.user_data)
  vpc_security_group_ids = [aws_security_group.this.id]
  update_default_version = true

  iam_instance_profile {
    arn = aws_iam_instance_profile.this.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type           = "gp3"
      volume_size           = var.instance.root_volume_gb
      encrypted             = true
      kms_key_id            = var.instance.kms_key_id
      delete_on_termination = true
    }
  }

  monitoring {
    enabled = var.instance.cloudwatch_agent_enabled
  }

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = var.name }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = var.name }
  }
}

resource "aws_instance" "this" {
  #checkov:skip=CKV_AWS_79:false positive: the launch template requires IMDSv2 (http_tokens = required)
  #checkov:skip=CKV_AWS_8:false positive: the launch template encrypts the root volume (encrypted = true)
  #checkov:skip=CKV2_AWS_41:false positive: the launch template attaches the instance profile
  #checkov:skip=CKV_AWS_126:detailed monitoring follows instance.cloudwatch_agent_enabled in the launch template (it costs per instance)
  #checkov:skip=CKV_AWS_135:the current-generation instance types used are EBS-optimized by default; the launch template decides the type
  count = var.instance.self_healing_enabled ? 0 : 1

  subnet_id = local.subnet_ids[0]

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  tags = { Name = var.name }

  # User data comes from the launch template, whose new version replaces the
  # instance; the copy the instance reports back is not compared.
  lifecycle {
    ignore_changes = [user_data]
  }

  # The address exists before the server boots and attaches it.
  depends_on = [aws_eip.this, aws_iam_role_policy.boot, aws_iam_role_policy.secrets]
}

resource "aws_autoscaling_group" "this" {
  count = var.instance.self_healing_enabled ? 1 : 0

  name                      = var.name
  min_size                  = 1
  max_size                  = 1
  desired_capacity          = 1
  vpc_zone_identifier       = local.subnet_ids
  health_check_type         = "EC2"
  health_check_grace_period = 300

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 0
    }
  }

  tag {
    key                 = "Name"
    value               = var.name
    propagate_at_launch = true
  }

  depends_on = [aws_eip.this, aws_iam_role_policy.boot, aws_iam_role_policy.secrets]
}
