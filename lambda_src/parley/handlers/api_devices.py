"""api routes of the devices area: register and forget Expo push devices."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from parley.adapters.devices import Devices
from parley.domain import clock, device_requests
from parley.domain.validation import path_id
from parley.handlers.api_common import table
from parley.handlers.http import caller_id, json_body, new_router

router = new_router()


@router.post("/devices")
def register_device() -> tuple[dict[str, Any], int]:
    user_id = caller_id(router)
    item = device_requests.new_device(json_body(router), user_id, clock.now_iso())
    Devices(table()).put(item)  # the same token always rewrites the same item
    return {"id": item["device_id"], "platform": item["platform"]}, 201


@router.delete("/devices/<device_id>")
def delete_device(device_id: str) -> Response[Any]:
    user_id = caller_id(router)
    Devices(table()).remove(user_id, path_id(device_id, "device"))
    return Response(status_code=204)
