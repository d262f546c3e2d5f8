"""The relay's end-to-end encryption (clients/cli/parley_cli/crypto.py) against the shared vectors.

clients/test-vectors.json is the one file both implementations check: this
test for Python, tests/e2e/test_browser_clients.py for clients/web/crypto.js.
The key derivation is also recomputed here with the standard library's HMAC
(RFC 5869), independently of the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from parley_cli import crypto
from tools.tfenv import ROOT

VECTORS: dict[str, Any] = json.loads((ROOT / "clients" / "test-vectors.json").read_text())


def channels() -> tuple[crypto.Channel, crypto.Channel]:
    opener = crypto.Channel(
        crypto.OPENER, VECTORS["code"], X25519PrivateKey.from_private_bytes(bytes.fromhex(VECTORS["opener_private"]))
    )
    joiner = crypto.Channel(
        crypto.JOINER, VECTORS["code"], X25519PrivateKey.from_private_bytes(bytes.fromhex(VECTORS["joiner_private"]))
    )
    return opener, joiner


def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def test_relay_crypto_hellos_keys_and_confirmation_match_the_vectors() -> None:
    opener, joiner = channels()
    # Given both hellos
    assert base64.b64encode(opener.hello()).decode() == VECTORS["opener_hello"]
    assert base64.b64encode(joiner.hello()).decode() == VECTORS["joiner_hello"]
    # When each accepts the other's, then both show the same confirmation string
    assert opener.accept_hello(joiner.hello()) == VECTORS["confirmation"]
    assert joiner.accept_hello(opener.hello()) == VECTORS["confirmation"]
    assert opener.keys == joiner.keys
    assert opener.keys is not None
    assert opener.keys.opener_to_joiner.hex() == VECTORS["opener_to_joiner_key"]
    assert opener.keys.joiner_to_opener.hex() == VECTORS["joiner_to_opener_key"]


def test_relay_crypto_derivation_is_rfc5869_hkdf_salted_with_the_code() -> None:
    okm = hkdf_sha256(
        bytes.fromhex(VECTORS["shared_secret"]),
        hashlib.sha256(VECTORS["normalized_code"].encode()).digest(),
        b"parley relay v1" + bytes.fromhex(VECTORS["opener_public"]) + bytes.fromhex(VECTORS["joiner_public"]),
        68,
    )
    assert okm[:32].hex() == VECTORS["opener_to_joiner_key"]
    assert okm[32:64].hex() == VECTORS["joiner_to_opener_key"]
    number = int.from_bytes(okm[64:], "big") % 1_000_000
    assert VECTORS["confirmation"] == f"{number // 1000:03d} {number % 1000:03d}"


def test_relay_crypto_messages_encrypt_and_decrypt_as_the_vectors_say() -> None:
    opener, joiner = channels()
    opener.accept_hello(joiner.hello())
    joiner.accept_hello(opener.hello())
    for message in VECTORS["messages"]:
        sender, receiver = (opener, joiner) if message["from"] == "opener" else (joiner, opener)
        payload = sender.encrypt(message["plaintext"].encode())
        assert base64.b64encode(payload).decode() == message["payload"]
        assert int.from_bytes(payload[2:10], "big") == message["counter"]
        assert receiver.decrypt(payload).decode() == message["plaintext"]


def test_relay_crypto_refuses_tampered_misdirected_and_replayed_payloads() -> None:
    opener, joiner = channels()
    opener.accept_hello(joiner.hello())
    joiner.accept_hello(opener.hello())
    for case in VECTORS["rejected"]:
        receiver = joiner if case["to"] == "joiner" else opener
        with pytest.raises(crypto.RelayCryptoError, match="failed authentication"):
            receiver.decrypt(base64.b64decode(case["payload"]))
    first = base64.b64decode(VECTORS["messages"][0]["payload"])
    assert joiner.decrypt(first) == b"hello from the terminal"
    with pytest.raises(crypto.RelayCryptoError, match="replayed"):
        joiner.decrypt(first)


def test_relay_crypto_a_different_code_gives_a_different_confirmation_and_keys() -> None:
    opener, joiner = channels()
    joiner.code = "ZZZZ-9999"
    assert opener.accept_hello(joiner.hello()) != joiner.accept_hello(opener.hello())
    with pytest.raises(crypto.RelayCryptoError):
        joiner.decrypt(opener.encrypt(b"secret"))


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"", "not a relay hello"),
        (b"\x01\x01\x00" + b"\x00" * 31, "not a relay hello"),
        (b"\x02\x01\x01" + b"\x00" * 32, "not a relay hello"),
        (b"\x01\x01\x00" + b"\x09" * 32, "claims our role"),
    ],
)
def test_relay_crypto_bad_hellos_are_refused(payload: bytes, problem: str) -> None:
    opener, _ = channels()
    with pytest.raises(crypto.RelayCryptoError, match=problem):
        opener.accept_hello(payload)


def test_relay_crypto_data_before_the_hello_and_short_payloads_are_refused() -> None:
    opener, joiner = channels()
    with pytest.raises(crypto.RelayCryptoError, match="no key yet"):
        opener.encrypt(b"too early")
    opener.accept_hello(joiner.hello())
    with pytest.raises(crypto.RelayCryptoError, match="not a relay data payload"):
        opener.decrypt(b"\x01\x02" + b"\x00" * 10)


@pytest.mark.parametrize("code", ["ABCD-234", "ABCD-23456", "ABCD_2345", "ÀBCD-2345", "ABCD-2345!"])
def test_relay_crypto_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(crypto.RelayCryptoError, match="8 letters or digits"):
        crypto.normalize_code(code)


def test_relay_crypto_codes_ignore_case_spaces_and_dashes() -> None:
    assert crypto.normalize_code(" k7qx m2-pd ") == VECTORS["normalized_code"]
    assert Path(crypto.__file__).is_relative_to(ROOT / "clients" / "cli")
