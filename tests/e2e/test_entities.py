"""Both app presets (apps/plydojo, apps/kefir) served by the local stack, over HTTP like a client."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from parley.domain import entities
from tests.conftest import ROOT
from tests.e2e.conftest import Deployed, Session
from tools import seed


def _generated() -> dict[str, bool]:
    paths = [ROOT / "apps" / name / "app.json" for name in ("plydojo", "kefir")]
    raw = {"entities": [e for p in paths for e in json.loads(p.read_text())["entities"]]}
    return entities.parse(raw).route_keys()


def test_entities_generated_routes_are_deployed_on_their_functions(deployed: Deployed) -> None:
    apigw = deployed.client("apigatewayv2")
    (api,) = [a for a in apigw.get_apis()["Items"] if a["ProtocolType"] == "HTTP"]
    integrations = {
        i["IntegrationId"]: i["IntegrationUri"] for i in apigw.get_integrations(ApiId=api["ApiId"])["Items"]
    }
    routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api["ApiId"])["Items"]}
    functions = deployed.outputs["function_names"]
    for key, signed_in in _generated().items():
        route = routes[key]
        assert route["AuthorizationType"] == ("JWT" if signed_in else "NONE"), key
        target = functions["api" if signed_in else "api_public"]
        assert f":function:{target}" in integrations[route["Target"].removeprefix("integrations/")], key


def test_entities_kefir_batch_flow(deployed: Deployed, alice: Session, bob: Session) -> None:
    http = deployed.http
    started = (datetime.now(UTC) - timedelta(hours=13)).strftime("%Y-%m-%dT%H:%M:%SZ")
    created = http.post("/batches", json={"name": "e2e batch", "started_at": started}, headers=alice.headers)
    assert created.status_code == 201, created.text
    batch = created.json()
    assert batch["status"] == "active" and batch["owner_id"] == alice.user_id
    refused = http.post("/batches", json={"name": "x", "started_at": "soon"}, headers=alice.headers)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_field"
    for kind in ("feed", "taste", "strain"):
        added = http.post(f"/batches/{batch['id']}/events", json={"kind": kind}, headers=alice.headers)
        assert added.status_code == 201, added.text
    timeline = http.get(f"/batches/{batch['id']}/events", params={"limit": "2"}, headers=alice.headers).json()
    assert [e["kind"] for e in timeline["items"]] == ["strain", "taste"] and timeline["next_cursor"]
    # Bob sees nothing of it, and the public view needs the flag.
    assert http.get(f"/batches/{batch['id']}", headers=bob.headers).status_code == 404
    assert http.get(f"/public/batches/{batch['id']}").status_code == 404
    patched = http.patch(
        f"/batches/{batch['id']}", json={"status": "in_fridge", "is_public": True}, headers=alice.headers
    )
    assert patched.status_code == 200 and patched.json()["status"] == "in_fridge"
    public = http.get(f"/public/batches/{batch['id']}")
    assert public.status_code == 200 and "owner_id" not in public.json()
    assert [e["kind"] for e in public.json()["events"]] == ["strain", "taste", "feed"]
    # A suggestion becomes a real reminder.
    offered = http.get(f"/batches/{batch['id']}/reminder-suggestions", headers=alice.headers).json()["items"]
    assert [s["index"] for s in offered] == [1, 2]
    accepted = http.post(f"/batches/{batch['id']}/reminder-suggestions/1", headers=alice.headers)
    assert accepted.status_code == 201, accepted.text
    reminders = http.get("/reminders", headers=alice.headers).json()["items"]
    assert accepted.json()["reminder_id"] in [r["reminder_id"] for r in reminders]
    exported = http.get("/export", headers=alice.headers)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["id"] for r in rows if r["record_type"] == "batches"} >= {batch["id"]}
    assert sum(r["record_type"] == "events" for r in rows) >= 3
    assert http.delete(f"/batches/{batch['id']}", headers=bob.headers).status_code == 404
    assert http.delete(f"/batches/{batch['id']}", headers=alice.headers).status_code == 204
    assert http.get(f"/batches/{batch['id']}/events", headers=alice.headers).status_code == 404
    assert http.get(f"/public/batches/{batch['id']}").status_code == 404


def test_entities_plydojo_game_flow(deployed: Deployed, alice: Session, bob: Session) -> None:
    http = deployed.http
    created = http.post("/games", json={"title": "e2e game", "mode": "friend"}, headers=alice.headers)
    assert created.status_code == 201, created.text
    game = created.json()
    assert game["status"] == "waiting" and game["room_id"]
    assert http.get(f"/games/{game['id']}", headers=bob.headers).status_code == 404
    added = http.post(f"/rooms/{game['room_id']}/members", json={"user_id": bob.user_id}, headers=alice.headers)
    assert added.status_code == 201, added.text
    assert http.get(f"/games/{game['id']}", headers=bob.headers).json()["title"] == "e2e game"
    assert http.patch(f"/games/{game['id']}", json={"status": "active"}, headers=bob.headers).status_code == 403
    assert http.patch(f"/games/{game['id']}", json={"status": "active"}, headers=alice.headers).status_code == 200
    listed = http.get("/games", headers=alice.headers).json()["items"]
    assert game["id"] in [g["id"] for g in listed]
    assert http.delete(f"/games/{game['id']}", headers=alice.headers).status_code == 204
    assert http.get(f"/rooms/{game['room_id']}", headers=alice.headers).status_code == 404
    assert http.get(f"/games/{game['id']}", headers=bob.headers).status_code == 404


def test_entities_make_seed_creates_the_kefir_data(deployed: Deployed) -> None:
    tester = deployed.sign_in(seed.KEFIR_EMAIL)  # the pool user the seed then finds by e-mail
    seed.run("local", deployed.outputs, deployed.endpoint)
    http = deployed.http
    batches = http.get("/batches", headers=tester.headers).json()["items"]
    assert sorted(b["status"] for b in batches) == ["active", "in_fridge"]
    for batch in batches:
        events = http.get(f"/batches/{batch['id']}/events", headers=tester.headers).json()["items"]
        assert len(events) == 2
    reminders = http.get("/reminders", headers=tester.headers).json()["items"]
    assert sorted(r["reminder_id"] for r in reminders) == ["kefir-reminder-1", "kefir-reminder-2"]
    again = seed.run("local", deployed.outputs, deployed.endpoint)
    assert again.created == 0
