"""The ``points_reset`` function: run daily by a schedule to give back the call points spent on past days.

Input (optional): ``{"today": "YYYY-MM-DD"}`` to run as of another day (a
backfill). A run that reaches its bound invokes itself again with
``{"today": ..., "continuation": n}`` (at most 10 times). Malformed input is
logged and ignored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters.points import Points, continue_later
from parley.adapters.table import Table
from parley.domain import points
from parley.settings import BaseSettings, env, load, positive_int, settings_class

logger = Logger(service="parley")

MAX_CONTINUATIONS = 10


def timezone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not an IANA time zone: {value!r}") from None
    return value


@settings_class
class PointsResetSettings(BaseSettings):
    timezone: str = env("POINTS_TIMEZONE", default="UTC", parse=timezone_name)
    lookback_days: int = env("POINTS_LOOKBACK_DAYS", default=7, parse=positive_int)
    page_size: int = env("POINTS_PAGE_SIZE", default=100, parse=positive_int)
    max_per_run: int = env("POINTS_MAX_PER_RUN", default=20_000, parse=positive_int)


def parse_input(event: Any, settings: PointsResetSettings) -> tuple[str, int, str | None]:
    """(today, continuation, problem) from the input; a problem means "ignored, defaults used"."""
    today = points.day_of(datetime.now(UTC), settings.timezone)
    if event is None or event == {}:
        return today, 0, None
    if not isinstance(event, dict):
        return today, 0, "input is not a JSON object"
    continuation = event.get("continuation", 0)
    if (
        not isinstance(continuation, int)
        or isinstance(continuation, bool)
        or not 0 <= continuation <= MAX_CONTINUATIONS
    ):
        return today, MAX_CONTINUATIONS, f"continuation must be a whole number from 0 to {MAX_CONTINUATIONS}"
    if "today" not in event:
        return today, continuation, None
    value = event["today"]
    try:
        chosen = date.fromisoformat(value).isoformat() if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        chosen = None
    if chosen is None or chosen > today:
        return today, continuation, "today must be a past or current date, YYYY-MM-DD"
    return chosen, continuation, None


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    settings = load(PointsResetSettings)
    today, continuation, problem = parse_input(event, settings)
    if problem:
        logger.error("ignoring malformed schedule input", extra={"problem": problem})
    report = points.reset(
        Points(Table(settings.table_name)),
        today,
        lookback_days=settings.lookback_days,
        page_size=settings.page_size,
        max_items=settings.max_per_run,
        time_left_ms=context.get_remaining_time_in_millis,
    )
    result = report.as_dict() | ({"input_error": problem} if problem else {})
    if report.exhausted and continuation < MAX_CONTINUATIONS:
        # More spenders than one run handles: go on in a fresh invocation now
        # rather than a day late. Bounded, so a fault cannot loop for ever.
        continue_later(context.invoked_function_arn, {"today": today, "continuation": continuation + 1})
        result["continued"] = True
    logger.info("points reset run", extra=result)
    return result
