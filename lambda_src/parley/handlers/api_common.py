"""What every area of the api function shares: its settings and its table."""

from __future__ import annotations

from typing import cast

from parley.adapters.table import Table
from parley.handlers.entities_common import EntitySettings
from parley.settings import env, load, settings_class


@settings_class
class ApiSettings(EntitySettings):
    uploads_bucket: str = env("UPLOADS_BUCKET")
    upload_max_bytes: int = env("UPLOAD_MAX_BYTES", parse=int)
    reminder_shard_count: int = env("REMINDER_SHARD_COUNT", parse=int)


def settings() -> ApiSettings:
    return cast(ApiSettings, load(ApiSettings))


def table() -> Table:
    return Table(settings().table_name)
