"""domain/otp.py: the custom-auth state machine, code reuse and expiry, answer checks and the send window."""

from __future__ import annotations

import pytest

from parley.domain import otp
from parley.domain.otp import Attempt, Decision, SendWindow, SessionCode

ASK = Decision(challenge_name="CUSTOM_CHALLENGE")
FAIL = Decision(fail_authentication=True)
TOKENS = Decision(issue_tokens=True)


def wrong(metadata: str | None = None) -> Attempt:
    return Attempt("CUSTOM_CHALLENGE", False, metadata)


def test_otp_define_asks_until_three_wrong_answers_then_fails() -> None:
    assert otp.define_next([]) == ASK
    assert otp.define_next([wrong()]) == ASK
    assert otp.define_next([wrong(), wrong()]) == ASK
    assert otp.define_next([wrong(), wrong(), wrong()]) == FAIL


def test_otp_define_issues_tokens_on_a_right_answer_for_a_known_user_only() -> None:
    right = Attempt("CUSTOM_CHALLENGE", True)
    assert otp.define_next([wrong(), right]) == TOKENS
    assert otp.define_next([wrong(), right], user_not_found=True) == ASK
    assert otp.define_next([wrong(), wrong(), right], user_not_found=True) == FAIL


def test_otp_define_fails_a_session_with_another_challenge() -> None:
    assert otp.define_next([Attempt("SRP_A", True)]) == FAIL
    assert otp.define_next([wrong(), Attempt("PASSWORD_VERIFIER", False)]) == FAIL


def test_otp_define_fails_once_the_last_wrong_attempts_code_expired() -> None:
    attempts = [wrong("CODE-123456-1000")]
    assert otp.define_next(attempts, now=999) == ASK
    assert otp.define_next(attempts, now=1000) == FAIL
    assert otp.define_next(attempts) == ASK  # no clock given: expiry is not judged
    assert otp.define_next([Attempt("CUSTOM_CHALLENGE", True, "CODE-123456-1000")], now=5000) == TOKENS


def test_otp_new_codes_are_six_ascii_digits() -> None:
    codes = {otp.new_code() for _ in range(200)}
    assert all(otp.is_code(c) for c in codes) and len(codes) > 150


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("012345", True),
        ("12345", False),
        ("1234567", False),
        ("12345a", False),
        ("١٢٣٤٥٦", False),
        (123456, False),
        (None, False),
    ],
)
def test_otp_is_code_means_exactly_six_ascii_digits(value: object, ok: bool) -> None:
    assert otp.is_code(value) is ok


@pytest.mark.parametrize(
    ("metadata", "now", "expired"),
    [
        ("CODE-123456-1000", 999, False),
        ("CODE-123456-1000", 1000, True),
        ("CODE-123456", 10**12, False),  # no expiry recorded
        ("CODE-12345-1000", 5000, False),  # not a code
        ("CODE-123456-10x0", 5000, False),  # not an expiry
        ("CODE-123456-\u0661\u0660", 5000, False),  # Arabic-Indic digits
        ("XCODE-123456-1000", 5000, False),
        (None, 5000, False),
        ("", 5000, False),
    ],
)
def test_otp_code_expiry_is_read_from_the_challenge_metadata(metadata: str | None, now: int, expired: bool) -> None:
    assert otp.code_expired(metadata, now) is expired


def test_otp_session_code_is_reused_with_its_expiry_from_the_latest_metadata() -> None:
    attempts = [wrong("CODE-111111-900"), wrong(None), wrong("CODE-222222-1900"), wrong("junk")]
    assert otp.code_for_session(attempts, now=1000, valid_seconds=180) == SessionCode("222222", 1900, fresh=False)
    # A code recorded without its expiry gets a fresh window
    assert otp.code_for_session([wrong("CODE-333333")], now=1000, valid_seconds=180) == SessionCode(
        "333333", 1180, fresh=False
    )


def test_otp_first_attempt_gets_a_new_code_to_mail() -> None:
    first = otp.code_for_session([], now=1000, valid_seconds=180)
    assert first.fresh is True and first.expires_at == 1180 and otp.is_code(first.code)
    assert first.metadata() == f"CODE-{first.code}-1180"


@pytest.mark.parametrize(
    ("expected", "answer", "expires_at", "now", "ok"),
    [
        ("123456", "123456", None, 0, True),
        ("123456", " 123456 ", None, 0, True),
        ("123456", "123457", None, 0, False),
        ("123456", 123456, None, 0, False),
        (None, "000000", None, 0, False),
        (None, "\x00" * 6, None, 0, False),
        ("12345", "12345", None, 0, False),
        ("123456", "123456", "1000", 999, True),
        ("123456", "123456", 1000, 1000, False),
        ("123456", "123456", "10x0", 0, False),
        ("123456", "123456" + "9" * 100, None, 0, False),
    ],
)
def test_otp_answer_matches_only_the_unexpired_code(
    expected: str | None, answer: object, expires_at: object, now: int, ok: bool
) -> None:
    assert otp.answer_matches(expected, answer, expires_at, now) is ok


def test_otp_send_window_allows_five_mails_per_fifteen_minutes() -> None:
    window = otp.next_send_window(None, 1000)
    assert window == SendWindow(1000, 1)
    for sends in range(2, 6):
        window = otp.next_send_window(window, 1000 + sends)
        assert window == SendWindow(1000, sends)
    assert otp.next_send_window(window, 1000 + 899) is None
    # The window restarts exactly 15 minutes after it began
    assert otp.next_send_window(window, 1000 + 900) == SendWindow(1900, 1)


def test_otp_mail_names_the_app_the_code_and_its_lifetime() -> None:
    assert otp.email_text("012345", "parley", 3) == (
        "Your parley sign-in code",
        "Your parley sign-in code is 012345.\n\n"
        "It is valid for 3 minutes. If you did not try to sign in, ignore this mail.",
    )
