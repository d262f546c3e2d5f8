"""HTTP API routes that need no sign-in."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

import parley
from parley.handlers import public_rooms
from parley.handlers.http import logger, make_resolver
from parley.handlers.public_auth import router as auth_router
from parley.handlers.public_entities import router as entities_router
from parley.settings import BaseSettings, load

app = make_resolver()
app.include_router(auth_router)
app.include_router(public_rooms.router)
app.include_router(entities_router)


@app.get("/health")
def health() -> dict[str, str]:
    settings = load(BaseSettings)
    return {"status": "ok", "stage": settings.app_stage, "version": parley.__version__}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
