"""make seed with the Kefir preset served: its test user, batches, events and reminders, written once."""

from __future__ import annotations

from typing import Any

import pytest

from parley.domain import entities
from tests.unit.entities_support import preset
from tools import seed
from tools.tfenv import ToolError


def scan(table: Any) -> list[dict[str, Any]]:
    return table.scan()["Items"]  # type: ignore[no-any-return]  # test-only: the app never scans


def test_seed_kefir_writes_the_described_data_once(table: Any) -> None:
    declaration = entities.parse(preset("kefir"))
    first = seed.seed_table(table, "u-1", kefir=(declaration, "test123"))
    second = seed.seed_table(table, "u-1", kefir=(declaration, "test123"))
    assert second.created == 0 and second.existing == first.created == len(scan(table))
    items = scan(table)
    profile = next(i for i in items if i["PK"] == "USER#test123" and i["SK"] == "PROFILE")
    assert profile["email"] == "test@example.com"
    batches = [i for i in items if i.get("entity") == "batches"]
    assert sorted(b["status"] for b in batches) == ["active", "in_fridge"]
    assert all(b["owner_id"] == "test123" and b["GSI1PK"] == "USER#test123" for b in batches)
    events = [i for i in items if i.get("entity") == "events"]
    assert {b["id"]: sum(e["parent_id"] == b["id"] for e in events) for b in batches} == {
        "kefir-active": 2,
        "kefir-in-fridge": 2,
    }
    assert all(e["PK"] == f"BATCH#{e['parent_id']}" for e in events)
    reminders = [i for i in items if i["PK"] == "USER#test123" and i["SK"].startswith("REMINDER#")]
    assert len(reminders) == 2 and all(r["status"] == "pending" for r in reminders)


def test_seed_kefir_follows_the_deployed_declaration() -> None:
    kefir = entities.encode_setting(preset("kefir"))
    plydojo = entities.encode_setting(preset("plydojo"))
    assert seed.served_kefir({"APP_ENTITIES": kefir}) is not None
    assert seed.served_kefir({"APP_ENTITIES": plydojo}) is None
    assert seed.served_kefir({}) is None
    with pytest.raises(ToolError, match="APP_ENTITIES cannot be read"):
        seed.served_kefir({"APP_ENTITIES": "not base64!"})
    with pytest.raises(ToolError, match="does not serve the Kefir preset"):
        seed.kefir_items(entities.parse(preset("plydojo")), "u", "e@example.com", seed.datetime.now(seed.UTC))
