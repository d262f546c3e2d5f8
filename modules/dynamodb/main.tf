# The single table of docs/architecture.md ("The table"). Key schema, GSI1 and the TTL
# attribute come from schema.json, which the unit tests read too.
locals {
  schema = jsondecode(file("${path.module}/schema.json"))
}

resource "aws_dynamodb_table" "this" {
  #checkov:skip=CKV_AWS_28:PITR is point_in_time_recovery_enabled, on in prod; dev tables are throwaway
  name                        = var.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.schema.hash_key
  range_key                   = local.schema.range_key
  deletion_protection_enabled = var.deletion_protection_enabled
  stream_enabled              = var.stream_view_type != null
  stream_view_type            = var.stream_view_type

  dynamic "attribute" {
    for_each = local.schema.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.schema.global_secondary_indexes
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection_type
    }
  }

  ttl {
    attribute_name = local.schema.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery_enabled
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }
}
