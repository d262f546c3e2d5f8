"""The reference clients in a real browser: clients/web served from the site bucket, clients/cli as a relay peer.

Playwright drives the system's chromium (``executable_path``; Playwright's own
browser download is not used). Chromium comes from tests/conftest.py's
``system_command`` (installed when possible; otherwise the tests skip with the
reason, except under ``CI=true`` where they fail; ``.ci/run`` installs it).
One browser serves every test; each user is a fresh context. With
``PARLEY_SCREENSHOTS=<folder>`` (``make screenshots``) the chat and relay
pages are saved there for the README.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import struct
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import livekit.api as livekit_api
import pytest
from playwright import sync_api as playwright_api
from websockets.sync.client import ClientConnection

from parley_cli import crypto
from tests.conftest import system_command
from tests.e2e.conftest import CODE, Deployed, eventually, frames_until
from tools import local
from tools.tfenv import ROOT

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# Each run signs up its own users (the sign-in code mails are rate-limited per address).
RUN = uuid.uuid4().hex[:8]
AXE = ROOT / "tests" / "e2e" / "vendor" / "axe.min.js"
CHECK_VECTORS = ROOT / "tests" / "e2e" / "check_vectors.js"
VECTORS = json.loads((ROOT / "clients" / "test-vectors.json").read_text())


def png(width: int = 96, height: int = 64) -> bytes:
    """A small gradient PNG (RGB, no filter), so the screenshot shows the picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((40 + 2 * x, 90 + y, 200 - x)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PICTURE = png()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = system_command("chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def site(deployed: Deployed) -> str:
    """clients/web published to the stack's site bucket, with the runtime's URLs in config.json."""
    urls = local.runtime_urls(deployed.runtime)
    local.publish_web_client(deployed.workspace, deployed.outputs | urls)
    return urls["site_url"].rstrip("/")


@contextlib.contextmanager
def uploads_allow(deployed: Deployed, origin: str) -> Iterator[None]:
    """The uploads bucket's CORS also allows ``origin`` meanwhile.

    envs/local allows the default site port (4581); this stack's site is on a
    free port. The deployed rules come back afterwards, so the stack does not drift.
    """
    s3 = deployed.client("s3")
    bucket = deployed.outputs["uploads_bucket_name"]
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    widened = [rule | {"AllowedOrigins": [*rule["AllowedOrigins"], origin]} for rule in rules]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": widened})
    try:
        yield
    finally:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("PARLEY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def assert_accessible(page: Any) -> None:
    """axe-core (vendored from npm, pinned in clients/web/package-lock.json) finds no serious violation."""
    # Evaluated through the DevTools protocol: the site's Content-Security-Policy forbids inline scripts.
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate("async () => (await axe.run(document)).violations")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in result
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], serious


def sign_in(deployed: Deployed, page: Any, site: str, email: str) -> str:
    """OTP sign-in through the page, reading the code from the local mailbox; the user id it shows."""
    before = len(deployed.mail(email))
    page.goto(f"{site}/rooms")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_role("button", name="Send me a code").click()
    # A cold sign-in function on a busy machine can take a while to send the mail.
    mail = eventually(lambda: deployed.mail(email) if len(deployed.mail(email)) > before else None, timeout=90)
    page.get_by_label("Code from the e-mail", exact=True).fill(CODE.search(mail[0]["text"]).group(1))  # type: ignore[union-attr]
    page.get_by_role("button", name="Sign in").click()
    page.locator("#my-id").wait_for()
    return str(page.locator("#my-id").inner_text())


def expect(locator: Any, text: str | re.Pattern[str]) -> None:
    playwright_api.expect(locator).to_contain_text(text, timeout=45_000)


def test_browser_site_is_served_as_cloudfront_would(deployed: Deployed, site: str) -> None:
    # A client-side route falls back to index.html with 200, with the security headers
    page = httpx.get(f"{site}/rooms/42")
    assert page.status_code == 200 and '<script type="module" src="/app.js">' in page.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert f"connect-src 'self' https: wss: {deployed.runtime.endpoint}" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-cache"
    # config.json names the runtime's URLs and the pool; scripts are served as JavaScript
    config = httpx.get(f"{site}/config.json").json()
    assert config["websocket_url"] == deployed.websocket_url
    assert config["user_pool_client_id"] == deployed.outputs["user_pool_client_id"]
    assert config["livekit_url"] is None  # no media server runs on the emulator
    assert httpx.get(f"{site}/crypto.js").headers["content-type"] == "text/javascript; charset=utf-8"
    assert httpx.post(f"{site}/").status_code == 405


def test_browser_crypto_matches_the_shared_vectors(browser: Any, site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/signin")
    result = page.evaluate(CHECK_VECTORS.read_text(), VECTORS)
    context.close()
    assert result["opener_hello"] == VECTORS["opener_hello"] and result["joiner_hello"] == VECTORS["joiner_hello"]
    assert result["confirmations"] == [VECTORS["confirmation"]] * 2
    assert result["opener_to_joiner_key"] == VECTORS["opener_to_joiner_key"]
    assert result["joiner_to_opener_key"] == VECTORS["joiner_to_opener_key"]
    assert result["payloads"] == [m["payload"] for m in VECTORS["messages"]]
    assert result["decrypted"] == [m["plaintext"] for m in VECTORS["messages"]]
    assert all("failed authentication" in why for why in result["rejected"]), result["rejected"]


def shown_image(image: Any) -> tuple[int, int]:
    """The natural size of an ``<img>`` once the browser has loaded it: (0, 0) when it could not."""
    image.wait_for()
    image.evaluate("img => img.decode().catch(() => null)")  # settles when the picture loaded or failed
    size = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    return int(size[0]), int(size[1])


def test_browser_two_users_chat_with_presence_typing_history_and_an_image(
    deployed: Deployed, browser: Any, site: str, tmp_path: Path
) -> None:
    ana_context, ben_context = browser.new_context(), browser.new_context()
    ana, ben = ana_context.new_page(), ben_context.new_page()
    try:
        ana_id = sign_in(deployed, ana, site, f"ana.browser.{RUN}@example.com")
        assert_accessible(ana)  # the rooms page
        ben_id = sign_in(deployed, ben, site, f"ben.browser.{RUN}@example.com")
        # Ana creates a room, adds Ben by his id, and says something before he is there
        room = f"Browser room {uuid.uuid4().hex[:6]}"
        ana.get_by_label("New room", exact=True).fill(room)
        ana.get_by_role("button", name="Create").click()
        expect(ana.locator("#chat-heading"), room)
        ana.get_by_label("Add a member (their user id)", exact=True).fill(ben_id)
        ana.get_by_role("button", name="Add", exact=True).click()
        expect(ana.locator("#messages"), f"{ben_id} was added to the room")
        ana.get_by_label("Message", exact=True).fill("welcome, Ben")
        ana.get_by_role("button", name="Send", exact=True).click()
        # Ben opens the room: history, and Ana is present; Ana sees him arrive
        ben.reload()
        ben.get_by_role("button", name=room).click()
        expect(ben.locator("#messages"), "welcome, Ben")
        expect(ben.locator("#presence"), ana_id)
        expect(ana.locator("#presence"), ben_id)
        # Typing and messages both ways
        ben.get_by_label("Message", exact=True).press_sequentially("hi An", delay=20)
        expect(ana.locator("#typing"), f"{ben_id} is typing")
        ben.get_by_label("Message", exact=True).fill("hi Ana")
        ben.get_by_label("Message", exact=True).press("Enter")  # the keyboard sends too
        expect(ana.locator("#messages"), "hi Ana")
        ana.get_by_label("Message", exact=True).fill("how are you?")
        ana.get_by_role("button", name="Send", exact=True).click()
        expect(ben.locator("#messages"), "how are you?")
        # Ana sends an image: presigned upload, then a message Ben receives and sees, as she does
        image = tmp_path / "picture.png"
        image.write_bytes(PICTURE)
        ana.get_by_label("Image", exact=True).set_input_files(str(image))
        with uploads_allow(deployed, site):
            ana.get_by_role("button", name="Upload and send").click()
            expect(ben.locator("#messages"), "picture.png")
        for page in (ben, ana):
            assert shown_image(page.locator("#messages").get_by_role("img", name="picture.png")) == (96, 64)
        uploaded = deployed.client("s3").list_objects_v2(
            Bucket=deployed.outputs["uploads_bucket_name"], Prefix=f"users/{ana_id}/"
        )
        keys = [item["Key"] for item in uploaded.get("Contents", [])]
        assert any(key.endswith("/picture.png") for key in keys), keys
        body = deployed.client("s3").get_object(Bucket=deployed.outputs["uploads_bucket_name"], Key=keys[0])
        assert body["Body"].read() == PICTURE
        playwright_api.expect(ana.locator("#messages img")).to_have_count(1)
        assert_accessible(ben)  # the chat panel
        screenshot(ben, "chat")
        # History pages: after a reload Ben reads the latest messages again, the image with a fresh URL
        ben.reload()
        ben.get_by_role("button", name=room).click()
        expect(ben.locator("#messages"), "how are you?")
        assert shown_image(ben.locator("#messages").get_by_role("img", name="picture.png")) == (96, 64)
    finally:
        ana_context.close()
        ben_context.close()


class CliPeer:
    """``python -m parley_cli relay open`` in a subprocess: stdin in, stdout/stderr lines out."""

    def __init__(self, deployed: Deployed, email: str, *args: str) -> None:
        self.deployed = deployed
        self.email = email
        before = len(deployed.mail(email))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "parley_cli", "--email", email, "--api", deployed.runtime.endpoint,
             "--ws", deployed.websocket_url, "relay", *args],
            cwd=ROOT / "clients" / "cli", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, bufsize=1,
        )  # fmt: skip
        # A cold sign-in function on a busy machine can take a while to send the mail.
        mail = eventually(lambda: deployed.mail(email) if len(deployed.mail(email)) > before else None, timeout=90)
        self.type(CODE.search(mail[0]["text"]).group(1))  # type: ignore[union-attr]

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, stream: Any, pattern: str, timeout: float = 90) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            line = stream.readline()
            if not line:
                break
            seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"no {pattern!r} from the CLI; got {seen}, exit {self.process.poll()}")

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


def relay_table_items(deployed: Deployed) -> list[dict[str, Any]]:
    table = deployed.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in table.get_paginator("scan").paginate(TableName=deployed.outputs["table_name"]):
        items += page["Items"]
    return items


def test_browser_relay_with_the_cli_is_end_to_end_encrypted(deployed: Deployed, browser: Any, site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    cli = CliPeer(deployed, f"cleo.cli.{RUN}@example.com", "open")
    try:
        sign_in(deployed, page, site, f"dora.browser.{RUN}@example.com")
        code = cli.wait_for(cli.process.stderr, r"code ([A-Z0-9]{4}-[A-Z0-9]{4})").group(1)
        page.goto(f"{site}/relay")
        # A wrong code is refused visibly
        page.get_by_label("Pairing code", exact=True).fill(code[:-1] + ("A" if code[-1] != "A" else "B"))
        page.get_by_role("button", name="Join").click()
        expect(page.locator("#alert"), "no relay with this code")
        # The right one pairs; both sides show the same confirmation string
        page.get_by_label("Pairing code", exact=True).fill(code.lower().replace("-", " "))
        page.get_by_role("button", name="Join").click()
        confirmation = cli.wait_for(cli.process.stderr, r"confirm (\d{3} \d{3})").group(1)
        expect(page.locator("#relay-confirm"), confirmation)
        # Messages decrypt both ways
        cli.type("ls -la from the terminal")
        expect(page.locator("#relay-log"), "peer: ls -la from the terminal")
        page.get_by_label("Encrypted message", exact=True).fill("reply from the browser")
        page.get_by_label("Encrypted message", exact=True).press("Enter")
        assert cli.wait_for(cli.process.stdout, r"reply from the browser").group(0)
        assert_accessible(page)
        screenshot(page, "relay")
        # The table (relay sessions and their cache) never holds a plaintext
        dump = json.dumps(relay_table_items(deployed))
        for secret in ("ls -la from the terminal", "reply from the browser"):
            assert secret not in dump
            assert base64.b64encode(secret.encode()).decode()[:16] not in dump
    finally:
        cli.close()
        context.close()


def test_browser_relay_refuses_tampered_payloads_and_caches_only_ciphertext(
    deployed: Deployed, browser: Any, site: str
) -> None:
    opener_user = deployed.sign_in(f"eve.peer.{RUN}@example.com")
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in(deployed, page, site, f"finn.browser.{RUN}@example.com")
        with deployed.connect(opener_user) as socket:
            # A peer built on the CLI's crypto opens a relay; the browser joins it
            socket.send(json.dumps({"action": "relay.open"}))
            opened = frames_until(socket, lambda f: f.get("type") == "relay.opened", timeout=60)[-1]
            channel = crypto.Channel(crypto.OPENER, opened["code"])
            page.goto(f"{site}/relay")
            page.get_by_label("Pairing code", exact=True).fill(opened["code"])
            page.get_by_role("button", name="Join").click()
            seen = frames_until(socket, lambda f: f.get("type") == "relay.peer_joined", timeout=60)
            seen += send(socket, opened["relay"], channel.hello())
            hellos = [f for f in seen if f.get("type") == "relay.data"]
            hello = (
                hellos[0] if hellos else frames_until(socket, lambda f: f.get("type") == "relay.data", timeout=60)[-1]
            )
            confirmation = channel.accept_hello(base64.b64decode(hello["data"]))
            expect(page.locator("#relay-confirm"), confirmation)
            # A payload whose ciphertext was altered on the way is refused, visibly
            tampered = bytearray(channel.encrypt(b"transfer 10 EUR"))
            tampered[-1] ^= 0x80
            send(socket, opened["relay"], bytes(tampered))
            expect(page.locator("#relay-log .rejected"), "failed authentication")
            send(socket, opened["relay"], channel.encrypt(b"an honest one"))
            expect(page.locator("#relay-log"), "peer: an honest one")
        # With the peer gone, what the browser sends waits in the cache: as ciphertext only
        page.get_by_label("Encrypted message", exact=True).fill("kept while you were away")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator("#relay-log"), "you: kept while you were away")
        relay_key = f"RELAY#{opened['relay']}"
        cached = eventually(
            lambda: [i for i in relay_table_items(deployed) if i["PK"]["S"] == relay_key and "data" in i]
        )
        dump = json.dumps(relay_table_items(deployed))
        assert "kept while you were away" not in dump and "transfer 10 EUR" not in dump
        payloads = [base64.b64decode(item["data"]["S"]) for item in cached]
        assert len(payloads) == 1 and payloads[0][:2] == b"\x01\x02" and b"kept while" not in payloads[0]
    finally:
        context.close()


def send(socket: ClientConnection, relay: str, payload: bytes) -> list[dict[str, Any]]:
    """relay.send a payload; every frame received up to its relay.sent."""
    socket.send(json.dumps({"action": "relay.send", "relay": relay, "data": base64.b64encode(payload).decode()}))
    return frames_until(socket, lambda f: f.get("type") == "relay.sent", timeout=60)


def test_browser_two_users_are_matched_and_get_call_tokens(deployed: Deployed, browser: Any, site: str) -> None:
    contexts = [browser.new_context(), browser.new_context()]
    pages = [c.new_page() for c in contexts]
    try:
        ids = [
            sign_in(deployed, p, site, f"{n}.caller.{RUN}@example.com")
            for p, n in zip(pages, ("gus", "hal"), strict=True)
        ]
        for page in pages:
            page.goto(f"{site}/call")
            page.get_by_role("button", name="Join the queue").click()
        assert_accessible(pages[0])
        secret_arn = deployed.outputs["calls"]["livekit_secret_arn"]
        livekit = json.loads(deployed.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
        verifier = livekit_api.TokenVerifier(livekit["api_key"], livekit["api_secret"])
        rooms = set()
        for page, user_id in zip(pages, ids, strict=True):
            # The first match and token requests start cold functions: allow for them.
            page.locator("#call-token").wait_for(timeout=120_000)
            claims = verifier.verify(page.locator("#call-token").inner_text().strip())
            assert claims.identity == user_id and claims.video is not None and claims.video.room_join
            rooms.add(claims.video.room)
            ice = json.loads(page.locator("#ice-servers").inner_text())
            assert ice and all("urls" in server for server in ice)
        assert len(rooms) == 1  # the same call: its LiveKit room is the session
        for page in pages:
            expect(page.locator("#call-status"), f"Matched: session {next(iter(rooms))}")
    finally:
        for context in contexts:
            context.close()


def test_browser_sign_in_page_is_accessible_and_refuses_a_wrong_code(
    deployed: Deployed, browser: Any, site: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{site}/")
        playwright_api.expect(page).to_have_url(f"{site}/signin")
        assert_accessible(page)
        page.get_by_label("E-mail", exact=True).fill(f"ivy.browser.{RUN}@example.com")
        page.get_by_role("button", name="Send me a code").click()
        page.get_by_label("Code from the e-mail", exact=True).fill("000000")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator("#alert"), re.compile(r"code", re.IGNORECASE))
        playwright_api.expect(page).to_have_url(f"{site}/signin")
    finally:
        context.close()
