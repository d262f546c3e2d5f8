"""domain/keys.py: the key formats and the stable ids derived from values, checked against fixed examples."""

from __future__ import annotations

from parley.domain import keys


def test_keys_sort_keys_are_fixed_width_and_prefixed() -> None:
    assert keys.message(42, "m1") == "MSG#0000000000042#m1"
    assert keys.notification(1_700_000_000_000, "n1") == "NOTIF#1700000000000#n1"
    assert keys.relay_data(7, "d1") == "DATA#0000000000007#d1"
    assert keys.waiting(5) == "WAIT#0000000000005"
    assert (keys.presence("c1"), keys.relay_peer("c1"), keys.relay_code("AB12")) == (
        "CONN#c1",
        "PEER#c1",
        "RELAYCODE#AB12",
    )
    assert keys.due_sort("2030-01-01T00:00:00Z", "r1") < keys.due_upper_bound("2030-01-01T00:00:00Z")


def test_keys_email_index_key_is_trimmed_and_lower_case() -> None:
    assert keys.email("  Ann.Lee@Example.COM ") == "EMAIL#ann.lee@example.com"


def test_keys_ttl_is_whole_epoch_seconds_from_the_given_time() -> None:
    assert keys.ttl_in(60, 1000.9) == 1060
    assert keys.ttl_in(86_400, 0) == 86_400


def test_keys_strip_keeps_everything_after_the_first_hash() -> None:
    id_of = keys.strip
    assert id_of("USER#u1") == "u1"
    assert id_of("MSG#0001#m1") == "0001#m1"
    assert id_of("PROFILE") == "PROFILE"
    assert id_of("#") == ""


def test_keys_shard_is_the_crc32_of_the_id_modulo_the_shard_count() -> None:
    # crc32(b"abc") == 891568578, crc32(b"r1") == 219023793
    assert (keys.shard_of("abc", 4), keys.shard_of("abc", 7)) == (2, 5)
    assert (keys.shard_of("r1", 4), keys.shard_of("r1", 7), keys.shard_of("r1", 1)) == (1, 2, 0)


def test_keys_device_id_is_the_first_32_hex_digits_of_the_tokens_sha256() -> None:
    assert keys.device_id("ExponentPushToken[abc]") == "cd8bb09898bec01cffcbb2a3164e5294"
