"""Plan checks of modules/dynamodb."""

from __future__ import annotations

import json

from tests.conftest import ROOT
from tests.plan.harness import PlanSession

SCHEMA = json.loads((ROOT / "modules/dynamodb/schema.json").read_text())


def test_dynamodb_dev_table_is_on_demand_encrypted_with_gsi_ttl_and_stream(plans: PlanSession) -> None:
    table = plans.case("dynamodb", "dev").one("aws_dynamodb_table")
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert (table["hash_key"], table["range_key"]) == ("PK", "SK")
    assert {a["name"] for a in table["attribute"]} == set(SCHEMA["attributes"])
    (gsi,) = table["global_secondary_index"]
    assert (gsi["name"], gsi["hash_key"], gsi["range_key"], gsi["projection_type"]) == (
        "GSI1",
        "GSI1PK",
        "GSI1SK",
        "ALL",
    )
    assert table["ttl"] == [{"attribute_name": "TTL", "enabled": True}]
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["stream_enabled"] is True and table["stream_view_type"] == "NEW_AND_OLD_IMAGES"
    assert table["point_in_time_recovery"][0]["enabled"] is False
    assert table["deletion_protection_enabled"] is False


def test_dynamodb_prod_table_is_protected_with_customer_key(plans: PlanSession) -> None:
    table = plans.case("dynamodb", "prod").one("aws_dynamodb_table")
    assert table["point_in_time_recovery"][0]["enabled"] is True
    assert table["deletion_protection_enabled"] is True
    assert table["server_side_encryption"][0]["kms_key_arn"].startswith("arn:aws:kms:")


def test_dynamodb_stream_toggle_off(plans: PlanSession) -> None:
    table = plans.case("dynamodb", "no_stream").one("aws_dynamodb_table")
    assert table["stream_enabled"] is False


def test_dynamodb_rejects_unknown_stream_view_and_short_name(plans: PlanSession) -> None:
    assert "stream_view_type must be" in plans.rejection("dynamodb", "reject_stream_view")
    assert "name must be 3-255" in plans.rejection("dynamodb", "reject_name")
