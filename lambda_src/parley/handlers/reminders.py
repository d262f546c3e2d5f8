"""The ``reminders`` function: run by a schedule (every 5 minutes by default) to deliver due reminders.

Input (the schedule's JSON, all optional): ``{"shards": [0, 1], "max_items": 50}``, and the source
metadata the stack's schedule sends (``source``, ``schedule``, ``scheduled_time``: Scheduler's
``<aws.scheduler.scheduled-time>``), which every log line of the run carries.
Malformed input is logged and ignored, so a bad schedule never stops delivery.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import secrets
from parley.adapters.reminders import DeliveryPorts
from parley.adapters.table import Table
from parley.domain.reminders import delivery
from parley.settings import BaseSettings, env, load, positive_int, settings_class

logger = Logger(service="parley")

EXPO_PUSH_ENDPOINT = "https://exp.host/--/api/v2/push/send"
EXPO_ACCESS_TOKEN = "expo_access_token"  # the app secret holding it (optional)


@settings_class
class RemindersSettings(BaseSettings):
    shard_count: int = env("REMINDER_SHARD_COUNT", parse=positive_int)
    max_per_run: int = env("REMINDER_MAX_PER_RUN", default=200, parse=positive_int)
    max_attempts: int = env("REMINDER_MAX_ATTEMPTS", default=3, parse=positive_int)
    retry_delay_seconds: int = env("REMINDER_RETRY_DELAY_SECONDS", default=300, parse=positive_int)
    claim_lease_seconds: int = env("REMINDER_CLAIM_LEASE_SECONDS", default=900, parse=positive_int)
    ws_management_endpoint: str = env("WS_MANAGEMENT_ENDPOINT")
    email_from: str = env("REMINDER_EMAIL_FROM", default="")
    push_endpoint: str = env("PUSH_ENDPOINT", default=EXPO_PUSH_ENDPOINT)
    push_timeout_seconds: float = env("PUSH_TIMEOUT_SECONDS", default=5.0, parse=float)


SOURCE_FIELDS = ("source", "schedule", "scheduled_time")
MAX_SOURCE_CHARS = 256


def source_metadata(event: Any) -> dict[str, str]:
    """What invoked the run, from the input's source fields (strings only, cut to 256 characters)."""
    if not isinstance(event, dict):
        return {}
    return {name: event[name][:MAX_SOURCE_CHARS] for name in SOURCE_FIELDS if isinstance(event.get(name), str)}


def parse_input(event: Any, settings: RemindersSettings) -> tuple[list[int] | None, int, str | None]:
    """(shards, max_items, problem) from the schedule's input; a problem means "ignored, defaults used"."""
    if event is None or event == {}:
        return None, settings.max_per_run, None
    if not isinstance(event, dict):
        return None, settings.max_per_run, "input is not a JSON object"
    shards, max_items = event.get("shards"), event.get("max_items", settings.max_per_run)
    if shards is not None and not (
        isinstance(shards, list)
        and shards
        and all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < settings.shard_count for s in shards)
    ):
        return None, settings.max_per_run, f"shards must be a list of shard numbers below {settings.shard_count}"
    if not isinstance(max_items, int) or isinstance(max_items, bool) or not 1 <= max_items <= settings.max_per_run:
        return None, settings.max_per_run, f"max_items must be a whole number from 1 to {settings.max_per_run}"
    return (sorted(set(shards)) if shards else None), max_items, None


def expo_access_token(settings: RemindersSettings) -> str | None:
    """The Expo access token (enhanced push security) when the app secret ``expo_access_token`` is given to
    this function; a declared secret without a value yet is logged and pushes go without it."""
    if EXPO_ACCESS_TOKEN not in settings.app_secrets:
        return None
    try:
        return secrets.app_secret(settings.app_secrets, EXPO_ACCESS_TOKEN) or None
    except GetParameterError:
        logger.warning("the expo_access_token app secret has no value yet; pushing without it")
        return None


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    settings = load(RemindersSettings)
    source = source_metadata(event)
    logger.append_keys(**source)
    logger.info("reminders run started" if source else "reminders run started without source metadata")
    shards, max_items, problem = parse_input(event, settings)
    if problem:
        logger.error("ignoring malformed schedule input", extra={"problem": problem})
    ports = DeliveryPorts(
        Table(settings.table_name),
        settings.ws_management_endpoint,
        settings.email_from,
        settings.push_endpoint,
        settings.push_timeout_seconds,
        push_access_token=expo_access_token(settings),
    )
    limits = delivery.RunLimits(
        shard_count=settings.shard_count,
        max_items=max_items,
        max_attempts=settings.max_attempts,
        retry_delay_seconds=settings.retry_delay_seconds,
        lease_seconds=settings.claim_lease_seconds,
    )
    report = delivery.run(ports, datetime.now(UTC), limits, context.get_remaining_time_in_millis, shards)
    result = report.as_dict() | ({"input_error": problem} if problem else {})
    if source:
        result["invoked_by"] = source  # not "source": the log lines already carry that key (append_keys)
    if report.errors:
        logger.error("unexpected errors while delivering reminders; see last_error on the items", extra=result)
    else:
        logger.info("reminders run", extra=result)
    return result
