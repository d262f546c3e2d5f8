"""Public sign-in routes of api_public: POST /auth/login, /auth/verify and /auth/refresh.

- login: email -> after the sign-in limits (per address and per source IP,
  domain/limits.py), a new user is created on the fly (confirmed, no mail)
  while the day's new-account cap allows, then a code sign-in starts and the
  code is mailed; the answer is the same for every valid address, known or not.
- verify: email + session + code -> tokens; a wrong code with tries left
  answers 401 ``wrong_code`` with a new session to retry with.
- refresh: refresh token -> new id and access tokens.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.metrics import MetricUnit

from parley.adapters import cognito
from parley.adapters.limits import Limits
from parley.adapters.table import Table
from parley.adapters.users import Users
from parley.domain import limits, profile, signin
from parley.errors import AppError, MalformedEvent
from parley.handlers.http import json_body, logger, new_router
from parley.settings import BaseSettings, env, load, parse_bool, positive_int, settings_class

router = new_router()

NEW_ACCOUNTS_NAMESPACE = "parley"
NEW_ACCOUNTS_METRIC = "NewAccountsToday"  # the day's count after each new account (the alarm takes its maximum)


def _parse_mode(value: str) -> str:
    if value not in {cognito.CUSTOM_AUTH, cognito.NATIVE_EMAIL_OTP}:
        raise ValueError(f"not a sign-in mode: {value!r}")
    return value


@settings_class
class PublicAuthSettings(BaseSettings):
    user_pool_id: str = env("USER_POOL_ID")
    client_id: str = env("USER_POOL_CLIENT_ID")
    sign_in_mode: str = env("AUTH_SIGN_IN_MODE", default=cognito.CUSTOM_AUTH, parse=_parse_mode)
    session_minutes: int = env("AUTH_SESSION_MINUTES", default=3, parse=int)
    auto_sign_up: bool = env("AUTH_AUTO_SIGN_UP", default=True, parse=parse_bool)
    login_window_seconds: int = env("AUTH_LOGIN_WINDOW_SECONDS", default=900, parse=positive_int)
    logins_per_address: int = env("AUTH_LOGINS_PER_ADDRESS", default=5, parse=positive_int)
    logins_per_source_ip: int = env("AUTH_LOGINS_PER_SOURCE_IP", default=30, parse=positive_int)
    new_accounts_per_day: int = env("AUTH_NEW_ACCOUNTS_PER_DAY", default=1000, parse=positive_int)

    def limits(self) -> tuple[limits.Limit, limits.Limit]:
        """The per-source-IP and per-address limits of /auth/login."""
        return (
            limits.Limit(limits.SOURCE_IP, self.logins_per_source_ip, self.login_window_seconds),
            limits.Limit(limits.ADDRESS, self.logins_per_address, self.login_window_seconds),
        )


# The day's new-account count, for the alarm near the cap (CloudWatch embedded metric format).
metrics = Metrics(namespace=NEW_ACCOUNTS_NAMESPACE, service="parley")


def _body() -> dict[str, Any]:
    return json_body(router)


def _source_ip() -> str:
    """The client's address as API Gateway saw it (a field only the platform writes)."""
    ip = router.current_event.request_context.http.source_ip
    if not isinstance(ip, str) or not ip:
        raise MalformedEvent("requestContext.http.sourceIp")
    return ip


def _check_limits(store: Limits, settings: PublicAuthSettings, address: str, now: int) -> None:
    """429 with Retry-After once the source IP or the address used up its window (known or not alike)."""
    per_ip, per_address = settings.limits()
    for limit, value in ((per_ip, _source_ip()), (per_address, address)):
        if not store.hit(limit, value, now):
            logger.info("sign-in limited", extra={"scope": limit.scope})
            raise limits.refused(limit, now)


def _sign_up(store: Limits, settings: PublicAuthSettings, address: str, now: int) -> None:
    """Create the user (and profile) of a new address while the day's cap allows.

    A slot is taken before the user is created and given back when the address
    had a user already. Once the cap is reached no user is created: Cognito then
    answers the sign-in the way it does for any unknown address (same answer, no
    mail), so the cap reveals nothing either.
    """
    day = limits.day_of(now)
    count = store.reserve_new_account(day, settings.new_accounts_per_day, now)
    if count is None:
        logger.warning("daily new-account cap reached", extra={"cap": settings.new_accounts_per_day})
        return
    try:
        created = cognito.ensure_user(settings.user_pool_id, address)
    except AppError:
        store.release_new_account(day)  # refused or throttled: the slot was not used
        raise
    if created is None or not created.get("sub"):
        store.release_new_account(day)
        return
    item = profile.new_profile(created["sub"], address, None, datetime.now(UTC).isoformat())
    Users(store.table).create_profile(item)
    metrics.add_dimension(name="stage", value=settings.app_stage)
    metrics.add_metric(name=NEW_ACCOUNTS_METRIC, unit=MetricUnit.Count, value=count)
    metrics.flush_metrics()
    logger.info("user created at first sign-in")


@router.post("/auth/login")
def login() -> dict[str, Any]:
    address = signin.email(_body())
    settings = load(PublicAuthSettings)
    now = int(time.time())
    store = Limits(Table(settings.table_name))
    _check_limits(store, settings, address, now)
    if settings.auto_sign_up:
        _sign_up(store, settings, address, now)
    session = cognito.start_sign_in(settings.client_id, address, settings.sign_in_mode)
    return {"session": session, "delivery": "email", "expires_in": settings.session_minutes * 60}


@router.post("/auth/verify")
def verify() -> dict[str, Any] | Response[Any]:
    body = _body()
    address, session, code = signin.email(body), signin.session(body), signin.code(body)
    settings = load(PublicAuthSettings)
    result = cognito.answer(settings.client_id, address, session, code, settings.sign_in_mode)
    if isinstance(result, cognito.Retry):
        return Response(
            status_code=401,
            content_type=content_types.APPLICATION_JSON,
            body=json.dumps(
                {
                    "error": "wrong_code",
                    "message": "the code is wrong; try again with this session",
                    "session": result.session,
                }
            ),
        )
    return result.body()


@router.post("/auth/refresh")
def refresh() -> dict[str, Any]:
    token = signin.refresh_token(_body())
    settings = load(PublicAuthSettings)
    return cognito.refresh(settings.client_id, token).body()
