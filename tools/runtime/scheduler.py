"""EventBridge Scheduler: each enabled schedule fires on its ``rate()``, ``cron()`` or ``at()`` expression,
in its time zone, between its start and end dates, with its input.

- ``rate(n unit)`` counts from the schedule's start date (else its creation).
- ``cron(minutes hours day-of-month month day-of-week year)`` is AWS's
  six-field syntax: ``*``, ``,``, ``-``, ``/``, ``?``, names (JAN, MON), ``L``
  and ``W`` in day-of-month, ``L`` and ``#`` in day-of-week (1 = Sunday). It
  is evaluated in the schedule's time zone; a time skipped by a daylight-saving
  change runs at the same wall time after the change, a repeated one once.
- ``at(yyyy-mm-ddThh:mm:ss)`` fires once.
- ``POST /_local/schedules/{name}`` fires one now, whatever its state.

A run invokes the Lambda target with the schedule's input (``{}`` when it has
none), its context attributes filled in as Scheduler does (``<aws.scheduler.schedule-arn>``,
``<aws.scheduler.scheduled-time>``, ``<aws.scheduler.execution-id>``,
``<aws.scheduler.attempt-number>``). A run that fails (the function errs or times out, or the target is
missing) is tried again after 1, 2, 4 ... seconds (at most 60) up to the retry
policy's ``MaximumRetryAttempts`` while the event is younger than
``MaximumEventAgeInSeconds``; then it goes to the schedule's dead-letter queue
with Scheduler's ``ERROR_CODE`` / ``ERROR_MESSAGE`` / ``RETRY_ATTEMPTS`` ...
message attributes.
"""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore.exceptions import BotoCoreError, ClientError

from tools.runtime import log
from tools.runtime.config import Schedule, function_name, queue_url_of
from tools.runtime.stack import Stack

MAX_BACKOFF_SECONDS = 60.0
SEARCH_MONTHS = 12 * 10

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ExpressionError(ValueError):
    """A schedule expression this scheduler cannot read."""


# -- cron -----------------------------------------------------------------------------------------


def _number(text: str, names: dict[str, int], low: int, high: int) -> int:
    value = names.get(text.upper()) if not text.isdigit() else int(text)
    if value is None or not low <= value <= high:
        raise ExpressionError(f"{text!r} is not between {low} and {high}")
    return value


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    """The numbers a plain cron field allows: lists of ``*``, ``a``, ``a-b``, each with an optional ``/step``."""
    names = names or {}
    found: set[int] = set()
    for item in field.split(","):
        base, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ExpressionError(f"bad increment in {item!r}")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, names, low, high), _number(last, names, low, high)
        else:
            start = _number(base, names, low, high)
            end = high if step else start
        if start <= end:
            found.update(range(start, end + 1, step or 1))
        else:  # a range across the end, e.g. FRI-MON
            found.update(v for v in range(low, high + 1) if v >= start or v <= end)
    return found


def _weekday(day: date) -> int:
    """AWS numbering: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, day: int) -> int:
    last = calendar.monthrange(year, month)[1]
    day = min(day, last)
    weekday = date(year, month, day).weekday()
    if weekday == 5:  # Saturday: Friday before, unless that leaves the month
        return day - 1 if day > 1 else day + 2
    if weekday == 6:  # Sunday: Monday after, unless that leaves the month
        return day + 1 if day < last else day - 2
    return day


def _month_days_of_month(field: str, year: int, month: int) -> set[int]:
    """The days of the month a day-of-month field allows: numbers, ranges, steps, ``L``, ``LW``, ``nW``."""
    last = calendar.monthrange(year, month)[1]
    days: set[int] = set()
    for item in field.split(","):
        if item == "L":
            days.add(last)
        elif item == "LW":
            days.add(_nearest_weekday(year, month, last))
        elif item.endswith("W") and item[:-1].isdigit():
            days.add(_nearest_weekday(year, month, _number(item[:-1], {}, 1, 31)))
        else:
            days |= {d for d in _values(item, 1, 31) if d <= last}
    return days


def _month_days_of_week(field: str, year: int, month: int) -> set[int]:
    """The days of the month a day-of-week field allows: numbers or names, ranges, steps, ``nL``, ``n#k``."""
    last = calendar.monthrange(year, month)[1]
    weekdays = {d: _weekday(date(year, month, d)) for d in range(1, last + 1)}
    days: set[int] = set()
    for item in field.split(","):
        if "#" in item:
            weekday_text, _, nth_text = item.partition("#")
            weekday, nth = _number(weekday_text, _DAYS, 1, 7), _number(nth_text, {}, 1, 5)
            days |= {d for d, w in weekdays.items() if w == weekday and (d - 1) // 7 + 1 == nth}
        elif item.endswith("L"):
            weekday = _number(item[:-1] or "7", _DAYS, 1, 7)
            days |= {d for d, w in weekdays.items() if w == weekday and d + 7 > last}
        else:
            allowed = _values(item, 1, 7, _DAYS)
            days |= {d for d, w in weekdays.items() if w in allowed}
    return days


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    day_of_month: str | None  # one of the two day fields is "?" (None)
    day_of_week: str | None
    months: frozenset[int]
    years: frozenset[int] | None

    @staticmethod
    def parse(body: str) -> Cron:
        fields = body.split()
        if len(fields) != 6:
            raise ExpressionError("cron() needs 6 fields: minutes hours day-of-month month day-of-week year")
        minutes, hours, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise ExpressionError("exactly one of day-of-month and day-of-week must be '?'")
        cron = Cron(
            minutes=tuple(sorted(_values(minutes, 0, 59))),
            hours=tuple(sorted(_values(hours, 0, 23))),
            day_of_month=None if dom == "?" else dom,
            day_of_week=None if dow == "?" else dow,
            months=frozenset(_values(month, 1, 12, _MONTHS)),
            years=None if year == "*" else frozenset(_values(year, 1970, 2199)),
        )
        cron.month_days(2024, 2)  # checks the day fields once
        return cron

    def month_days(self, year: int, month: int) -> list[int]:
        if self.day_of_month is not None:
            return sorted(_month_days_of_month(self.day_of_month, year, month))
        return sorted(_month_days_of_week(str(self.day_of_week), year, month))

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        """The first matching minute after ``after``, evaluated in ``zone`` (bounded search)."""
        local = after.astimezone(zone)
        year, month = local.year, local.month
        for _ in range(SEARCH_MONTHS):
            if (self.years is None or year in self.years) and month in self.months:
                for day in self.month_days(year, month):
                    if date(year, month, day) < local.date():
                        continue
                    for hour in self.hours:
                        for minute in self.minutes:
                            # fold=0: a wall time skipped by a daylight-saving change lands after the change,
                            # a repeated one runs once.
                            moment = datetime(year, month, day, hour, minute, tzinfo=zone).astimezone(UTC)
                            if moment > after:
                                return moment
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None


# -- any expression -------------------------------------------------------------------------------


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ExpressionError(f"unknown time zone {name!r}") from None


def next_fire(schedule: Schedule, after: datetime) -> datetime | None:
    """When ``schedule`` fires next, strictly after ``after`` (aware); None when it never will."""
    zone = zone_of(schedule.timezone)
    expression = schedule.expression.strip()
    start = schedule.start.astimezone(UTC) if schedule.start else None
    floor = max(after, start - timedelta(microseconds=1)) if start else after
    moment: datetime | None
    if found := _RATE.match(expression):
        value, unit = int(found.group(1)), found.group(2).rstrip("s")
        if value < 1:
            raise ExpressionError("a rate must be at least 1")
        period = timedelta(seconds=value * _UNIT_SECONDS[unit])
        anchor = (schedule.start or schedule.created).astimezone(UTC)
        steps = max(0, (floor - anchor) // period + 1)
        moment = anchor + steps * period
    elif found := _AT.match(expression):
        moment = datetime.fromisoformat(found.group(1)).replace(tzinfo=zone).astimezone(UTC)
        moment = moment if moment > floor else None
    elif found := _CRON.match(expression):
        moment = Cron.parse(found.group(1)).next_after(floor, zone)
    else:
        raise ExpressionError(f"{expression!r} is not a rate(), cron() or at() expression")
    if moment is None or (schedule.end and moment > schedule.end.astimezone(UTC)):
        return None
    return moment


# -- the scheduler ---------------------------------------------------------------------------------


def context_input(schedule: Schedule, execution: str, scheduled: datetime, attempt: int) -> str:
    """The schedule's input with Scheduler's context attributes replaced by this run's values."""
    values = {
        "<aws.scheduler.schedule-arn>": schedule.arn,
        "<aws.scheduler.scheduled-time>": scheduled.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": execution,
        "<aws.scheduler.attempt-number>": str(attempt),
    }
    text = schedule.input or ""
    for attribute, value in values.items():
        text = text.replace(attribute, value)
    return text


def backoff_seconds(retry: int) -> float:
    return float(min(MAX_BACKOFF_SECONDS, 2 ** (retry - 1)))


class Scheduler:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._next: dict[Schedule, datetime | None] = {}
        self._runs: set[asyncio.Task[None]] = set()

    def find(self, name: str, group: str | None) -> list[Schedule]:
        return [s for s in self.stack.config.schedules if s.name == name and (group is None or s.group == group)]

    def fire(self, schedule: Schedule, scheduled: datetime | None = None) -> str:
        """Start a run of ``schedule`` now (for its ``scheduled`` time, else now); its execution id."""
        execution = str(uuid.uuid4())
        task = asyncio.create_task(self.run(schedule, execution, scheduled or datetime.now(UTC)))
        self._runs.add(task)
        task.add_done_callback(self._runs.discard)
        return execution

    async def loop(self) -> None:
        """Fire every enabled schedule when it is due; picks up configuration changes on each tick."""
        while True:
            now = datetime.now(UTC)
            current = {s for s in self.stack.config.schedules if s.enabled}
            for gone in [s for s in self._next if s not in current]:
                del self._next[gone]
            for schedule in current:
                if schedule not in self._next:
                    self._next[schedule] = self._compute(schedule, now)
                due = self._next[schedule]
                if due is not None and due <= now:
                    log.info(f"schedule {schedule.name} fires ({schedule.expression}, {schedule.timezone})")
                    self.fire(schedule, due)
                    self._next[schedule] = self._compute(schedule, due)
            await asyncio.sleep(max(0.05, 1 - (time.time() % 1)))

    @staticmethod
    def _compute(schedule: Schedule, after: datetime) -> datetime | None:
        try:
            return next_fire(schedule, after)
        except ExpressionError as error:
            log.warning(f"schedule {schedule.name} never fires locally: {error}")
            return None

    async def run(self, schedule: Schedule, execution: str, created: datetime) -> None:
        """Deliver one scheduled event, with the retry policy, then the dead-letter queue."""
        target = function_name(schedule.target_arn) if ":lambda:" in schedule.target_arn else None
        retries, error_code, error_message = 0, "", ""
        while True:
            payload = context_input(schedule, execution, created, retries + 1)
            error_code, error_message = await self._attempt(schedule, target, payload)
            if not error_code:
                return
            age = (datetime.now(UTC) - created).total_seconds()
            retries += 1
            wait = backoff_seconds(retries)
            if retries > schedule.maximum_retry_attempts or age + wait > schedule.maximum_event_age_seconds:
                break
            log.info(f"schedule {schedule.name}: retry {retries} of {schedule.maximum_retry_attempts} in {wait:.0f}s")
            await asyncio.sleep(wait)
        await self._dead_letter(schedule, execution, error_code, error_message, retries - 1)

    async def _attempt(self, schedule: Schedule, target: str | None, payload: str) -> tuple[str, str]:
        """("", "") when delivered and run, else (error code, message)."""
        if target is None:
            return "UnsupportedTarget", f"target {schedule.target_arn} is not a Lambda function"
        try:
            event = json.loads(payload) if payload else {}
        except ValueError:
            return "InvalidRequestContentException", "the schedule's input is not JSON"
        outcome = await self.stack.invoke(target, event)
        log.invocation(target, f"schedule {schedule.name}", "ok" if outcome.ok else "error", outcome.duration_ms)
        if outcome.ok:
            return "", ""
        log.info(f"  {target} | {outcome.error_type}: {outcome.error_message}")
        return outcome.error_type, outcome.error_message

    async def _dead_letter(self, schedule: Schedule, execution: str, code: str, text: str, retries: int) -> None:
        if not schedule.dead_letter_arn:
            log.info(f"schedule {schedule.name}: run dropped after {retries} retries (no dead-letter queue)")
            return
        attributes = {
            "ERROR_CODE": code,
            "ERROR_MESSAGE": text[:1000] or code,
            "EXECUTION_ID": execution,
            "RETRY_ATTEMPTS": str(max(retries, 0)),
            "SCHEDULE_ARN": schedule.arn,
            "TARGET_ARN": schedule.target_arn,
        }
        try:
            await self.stack.aws(
                "sqs", "send_message", QueueUrl=queue_url_of(self.stack.emulator, schedule.dead_letter_arn),
                MessageBody=schedule.input or "{}",
                MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
            )  # fmt: skip
        except (BotoCoreError, ClientError) as error:
            log.warning(f"schedule {schedule.name}: dead-letter queue unreachable: {error}")
            return
        log.info(f"schedule {schedule.name}: sent to its dead-letter queue ({code})")

    async def close(self) -> None:
        for task in list(self._runs):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
