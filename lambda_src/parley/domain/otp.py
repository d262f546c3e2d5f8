"""Email one-time-code sign-in rules: the custom-auth state machine, codes, checks and send limits.

Pure functions: the trigger handlers turn Cognito events into these values and
the decisions back into trigger responses.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

CHALLENGE = "CUSTOM_CHALLENGE"
CODE_DIGITS = 6
MAX_ATTEMPTS = 3
METADATA_PREFIX = "CODE-"

SEND_WINDOW_SECONDS = 15 * 60
MAX_SENDS_PER_WINDOW = 5


@dataclass(frozen=True)
class Attempt:
    """One entry of a Cognito custom-auth session: the challenge, whether it was answered right, its metadata."""

    challenge_name: str
    result: bool
    metadata: str | None = None


@dataclass(frozen=True)
class Decision:
    """What DefineAuthChallenge answers: issue tokens, fail, or ask (again) for the code."""

    issue_tokens: bool = False
    fail_authentication: bool = False
    challenge_name: str | None = None


def define_next(attempts: Sequence[Attempt], user_not_found: bool = False) -> Decision:
    """The next step of a session: tokens on a right code, failure after MAX_ATTEMPTS wrong ones.

    A user that does not exist is asked for a code like any other (no
    enumeration); no answer can be right for it, so it ends as a failure.
    """
    if any(a.challenge_name != CHALLENGE for a in attempts):
        return Decision(fail_authentication=True)
    if attempts and attempts[-1].result and not user_not_found:
        return Decision(issue_tokens=True)
    if len(attempts) >= MAX_ATTEMPTS:
        return Decision(fail_authentication=True)
    return Decision(challenge_name=CHALLENGE)


def new_code() -> str:
    """A uniformly random 6-digit code from the OS's secure generator."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def is_code(value: object) -> bool:
    return isinstance(value, str) and len(value) == CODE_DIGITS and value.isascii() and value.isdigit()


def metadata_for(code: str) -> str:
    return f"{METADATA_PREFIX}{code}"


def code_from_metadata(metadata: str | None) -> str | None:
    if metadata and metadata.startswith(METADATA_PREFIX):
        code = metadata[len(METADATA_PREFIX) :]
        return code if is_code(code) else None
    return None


@dataclass(frozen=True)
class SessionCode:
    code: str
    fresh: bool  # True on the first attempt of a session: the code must be sent


def code_for_session(attempts: Sequence[Attempt]) -> SessionCode:
    """The session's code: reused from the previous attempt's metadata on a retry, else a new one."""
    for attempt in reversed(attempts):
        previous = code_from_metadata(attempt.metadata)
        if previous is not None:
            return SessionCode(previous, fresh=False)
    return SessionCode(new_code(), fresh=True)


def answer_matches(expected: str | None, answer: object) -> bool:
    """Constant-time comparison of the answer with the expected code (False when there is none)."""
    given = answer.strip() if isinstance(answer, str) else ""
    reference = expected if expected is not None and is_code(expected) else "\x00" * CODE_DIGITS
    same = hmac.compare_digest(reference.encode(), given.encode()[:64])
    return same and expected is not None and is_code(given)


@dataclass(frozen=True)
class SendWindow:
    """How many codes were sent to a user since ``started_at`` (epoch seconds)."""

    started_at: int
    sends: int


def next_send_window(current: SendWindow | None, now: int) -> SendWindow | None:
    """The window after one more send, or None when the user has had MAX_SENDS_PER_WINDOW already."""
    if current is None or now - current.started_at >= SEND_WINDOW_SECONDS:
        return SendWindow(started_at=now, sends=1)
    if current.sends >= MAX_SENDS_PER_WINDOW:
        return None
    return SendWindow(started_at=current.started_at, sends=current.sends + 1)


def email_text(code: str, app_name: str, valid_minutes: int) -> tuple[str, str]:
    """Subject and plain-text body of the code mail."""
    subject = f"Your {app_name} sign-in code"
    body = (
        f"Your {app_name} sign-in code is {code}.\n\n"
        f"It is valid for {valid_minutes} minutes. If you did not try to sign in, ignore this mail."
    )
    return subject, body
