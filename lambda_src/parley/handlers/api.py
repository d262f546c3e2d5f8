"""The signed-in HTTP API: one Powertools Router per area (profile, rooms, files, reminders, devices,
notifications, declared app entities), each in ``parley/handlers/api_<area>.py``.

API Gateway's JWT authorizer has checked the token; the caller is its ``sub``.
Each route validates its input, calls the domain rules and a repository, and
answers JSON (errors as ``{"error", "message"}`` via parley.handlers.http).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.handlers import (
    api_devices,
    api_entities,
    api_files,
    api_notifications,
    api_profile,
    api_reminders,
    api_rooms,
)
from parley.handlers.api_common import ApiSettings
from parley.handlers.http import logger, make_resolver

__all__ = ["ApiSettings", "app", "handler"]

app = make_resolver()
# The declared entities' generic paths come last: every built-in route matches first.
for area in (api_profile, api_rooms, api_files, api_reminders, api_devices, api_notifications, api_entities):
    app.include_router(area.router)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
