"""Sign-in abuse limits through the runtime: the sixth /auth/login of an address in its window is a 429."""

from __future__ import annotations

from tests.e2e.conftest import Deployed


def test_signin_limits_per_address_answers_429_with_retry_after(deployed: Deployed) -> None:
    # Given an address that signed in as often as its window allows (envs/local keeps the default of 5)
    address = "limited@example.com"
    for _ in range(5):
        assert deployed.http.post("/auth/login", json={"email": address}).status_code == 200
    # When it signs in once more
    refused = deployed.http.post("/auth/login", json={"email": address})
    # Then the answer is a 429 with the seconds left in the 15-minute window, and no sixth mail
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 900
    assert len(deployed.mail(address)) == 5
    # And another address from the same client is not affected
    assert deployed.http.post("/auth/login", json={"email": "unlimited@example.com"}).status_code == 200
