"""The relay's end-to-end encryption, byte for byte the same as clients/web/crypto.js.

X25519 key agreement, HKDF-SHA256 bound to the pairing code and to both public
keys, AES-256-GCM with one key per direction and a counter nonce. The vectors
in clients/test-vectors.json are checked by this module's tests and by the
browser's.

Wire format of a relay payload (before the relay's base64):

- hello: ``0x01 0x01 role(1) public_key(32)``; role 0 = the peer that opened, 1 = the joiner
- data:  ``0x01 0x02 counter(8, big-endian) ciphertext+tag``

The nonce is ``0x00000000 || counter``; each direction has its own key, so a
(key, nonce) pair is never reused. A receiver accepts only counters above the
last one it accepted (no replay, no reordering).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 1
HELLO = 1
DATA = 2
OPENER, JOINER = 0, 1
INFO = b"parley relay v1"
CODE_ALPHABET = re.compile(r"[A-Z0-9]{8}")


class RelayCryptoError(Exception):
    """A payload that is not ours, was tampered with, or was replayed."""


def normalize_code(code: str) -> str:
    """The pairing code as the server compares it: case, spaces and dashes ignored."""
    normalized = re.sub(r"[\s-]", "", code).upper()
    if not CODE_ALPHABET.fullmatch(normalized):
        raise RelayCryptoError("a pairing code is 8 letters or digits, like ABCD-2345")
    return normalized


@dataclass(frozen=True)
class Keys:
    """What both peers derive: a key per direction and the confirmation string."""

    opener_to_joiner: bytes
    joiner_to_opener: bytes
    confirmation: str


def derive(shared_secret: bytes, code: str, opener_public: bytes, joiner_public: bytes) -> Keys:
    """HKDF-SHA256(salt = SHA-256(code), info = label || both public keys) -> 2 AES keys + 4 confirmation bytes."""
    salt = hashlib.sha256(normalize_code(code).encode()).digest()
    okm = HKDF(algorithm=hashes.SHA256(), length=68, salt=salt, info=INFO + opener_public + joiner_public).derive(
        shared_secret
    )
    number = int.from_bytes(okm[64:68], "big") % 1_000_000
    return Keys(okm[:32], okm[32:64], f"{number // 1000:03d} {number % 1000:03d}")


def public_bytes(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def hello(role: int, public_key: bytes) -> bytes:
    return bytes([VERSION, HELLO, role]) + public_key


def parse_hello(payload: bytes) -> tuple[int, bytes]:
    if len(payload) != 35 or payload[0] != VERSION or payload[1] != HELLO or payload[2] not in (OPENER, JOINER):
        raise RelayCryptoError("not a relay hello")
    return payload[2], payload[3:]


def nonce(counter: int) -> bytes:
    return b"\x00\x00\x00\x00" + counter.to_bytes(8, "big")


def seal(key: bytes, counter: int, plaintext: bytes) -> bytes:
    header = bytes([VERSION, DATA]) + counter.to_bytes(8, "big")
    return header + AESGCM(key).encrypt(nonce(counter), plaintext, header)


def open_sealed(key: bytes, payload: bytes) -> tuple[int, bytes]:
    """(counter, plaintext); the header is authenticated as associated data."""
    if len(payload) < 10 + 16 or payload[0] != VERSION or payload[1] != DATA:
        raise RelayCryptoError("not a relay data payload")
    counter = int.from_bytes(payload[2:10], "big")
    try:
        return counter, AESGCM(key).decrypt(nonce(counter), payload[10:], payload[:10])
    except InvalidTag:
        raise RelayCryptoError("a payload failed authentication (tampered, or a different key)") from None


@dataclass
class Channel:
    """One peer's end: its key pair, then (after both hellos) its send and receive keys."""

    role: int
    code: str
    private: X25519PrivateKey = field(default_factory=X25519PrivateKey.generate)
    keys: Keys | None = None
    sent: int = 0
    received: int = 0

    def hello(self) -> bytes:
        return hello(self.role, public_bytes(self.private))

    def accept_hello(self, payload: bytes) -> str:
        """Derive the keys from the other peer's hello; the confirmation string both sides show."""
        role, peer_public = parse_hello(payload)
        if role == self.role:
            raise RelayCryptoError("the other peer claims our role")
        try:
            shared = self.private.exchange(X25519PublicKey.from_public_bytes(peer_public))
        except ValueError:
            raise RelayCryptoError("the other peer's public key is invalid") from None
        mine = public_bytes(self.private)
        opener, joiner = (mine, peer_public) if self.role == OPENER else (peer_public, mine)
        self.keys = derive(shared, self.code, opener, joiner)
        self.sent = self.received = 0
        return self.keys.confirmation

    def _directions(self) -> tuple[bytes, bytes]:
        if self.keys is None:
            raise RelayCryptoError("no key yet: the other peer's hello has not arrived")
        if self.role == OPENER:
            return self.keys.opener_to_joiner, self.keys.joiner_to_opener
        return self.keys.joiner_to_opener, self.keys.opener_to_joiner

    def encrypt(self, plaintext: bytes) -> bytes:
        send_key, _ = self._directions()
        self.sent += 1
        return seal(send_key, self.sent, plaintext)

    def decrypt(self, payload: bytes) -> bytes:
        _, receive_key = self._directions()
        counter, plaintext = open_sealed(receive_key, payload)
        if counter <= self.received:
            raise RelayCryptoError("a payload was replayed or reordered")
        self.received = counter
        return plaintext
