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
class SessionCode:
    """The code of a sign-in session, until when it may be answered (epoch seconds), and whether to mail it."""

    code: str
    expires_at: int
    fresh: bool  # True on the first attempt of a session: the code must be sent

    def metadata(self) -> str:
        """The challenge metadata that carries the code (and its expiry) to the session's next attempts."""
        return f"{METADATA_PREFIX}{self.code}-{self.expires_at}"


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


def define_next(attempts: Sequence[Attempt], user_not_found: bool = False, now: float | None = None) -> Decision:
    """The next step of a session: tokens on a right code, failure after MAX_ATTEMPTS wrong ones
    or once the session's code has expired.

    A user that does not exist is asked for a code like any other (no
    enumeration); no answer can be right for it, so it ends as a failure.
    """
    if any(a.challenge_name != CHALLENGE for a in attempts):
        return Decision(fail_authentication=True)
    if attempts and not attempts[-1].result and now is not None and code_expired(attempts[-1].metadata, now):
        return Decision(fail_authentication=True)  # no answer can be right any more: start again
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


def _from_metadata(metadata: str | None) -> tuple[str, int | None] | None:
    """(code, expiry) from a challenge's metadata ``CODE-{code}[-{expires_at}]``, or None."""
    if not metadata or not metadata.startswith(METADATA_PREFIX):
        return None
    code, _, expiry = metadata[len(METADATA_PREFIX) :].partition("-")
    if not is_code(code):
        return None
    if not expiry:
        return code, None
    return (code, int(expiry)) if expiry.isascii() and expiry.isdigit() else None


def code_expired(metadata: str | None, now: float) -> bool:
    """Whether the code a challenge's metadata carries is past its expiry."""
    found = _from_metadata(metadata)
    return found is not None and found[1] is not None and now >= found[1]


def code_for_session(attempts: Sequence[Attempt], now: int, valid_seconds: int) -> SessionCode:
    """The session's code: reused (with its expiry) from the previous attempt's metadata on a retry, else new."""
    for attempt in reversed(attempts):
        found = _from_metadata(attempt.metadata)
        if found is not None:
            code, expires_at = found
            return SessionCode(code, expires_at if expires_at is not None else now + valid_seconds, fresh=False)
    return SessionCode(new_code(), now + valid_seconds, fresh=True)


def answer_matches(expected: str | None, answer: object, expires_at: object = None, now: float = 0) -> bool:
    """Constant-time comparison of the answer with the expected code.

    False when there is no code, or when ``expires_at`` (epoch seconds, as
    text or a number) is given and ``now`` has reached it.
    """
    given = answer.strip() if isinstance(answer, str) else ""
    reference = expected if expected is not None and is_code(expected) else "\x00" * CODE_DIGITS
    same = hmac.compare_digest(reference.encode(), given.encode()[:64])
    if expires_at is not None:
        deadline = str(expires_at)
        if not (deadline.isascii() and deadline.isdigit()) or now >= int(deadline):
            return False
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
