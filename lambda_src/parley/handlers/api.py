"""The signed-in HTTP API: one Powertools Router per area (profile, rooms, files, reminders, devices,
notifications, declared app entities), each in ``parley/handlers/api_<area>.py``.

API Gateway's JWT authorizer has checked the token; the caller is its ``sub``.
Each route validates its input, calls the domain rules and a repository, and
answers JSON (errors as ``{"error", "message"}`` via parley.handlers.http).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.handlers.api_common import ApiSettings
from parley.handlers.api_devices import router as devices
from parley.handlers.api_entities import router as entities
from parley.handlers.api_files import router as files
from parley.handlers.api_notifications import router as notifications
from parley.handlers.api_profile import router as profile
from parley.handlers.api_reminders import router as reminders
from parley.handlers.api_rooms import router as rooms
from parley.handlers.http import logger, make_resolver

__all__ = ["ApiSettings", "app", "handler"]

app = make_resolver()
# The declared entities' generic paths come last: every built-in route matches first.
for area in (profile, rooms, files, reminders, devices, notifications, entities):
    app.include_router(area)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
