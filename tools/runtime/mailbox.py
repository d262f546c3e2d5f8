"""Mail sent through SES: the functions' SES calls come here (``AWS_ENDPOINT_URL_SES`` / ``_SESV2``).

Each call goes on to the emulator, which accepts or refuses it as SES would
(an unverified sender is refused); an accepted mail is kept in memory, newest
first, for ``GET /_local/mail`` (``?to=`` filters by recipient), and printed
in the runtime's log.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import json
import urllib.parse
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from aiohttp import web

from tools.runtime import log
from tools.runtime.proxy import forward
from tools.runtime.stack import Stack

KEEP = 500


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    text: str
    sent_at: str
    sender: str


def _from_mime(raw: bytes, recipients: list[str]) -> tuple[list[str], str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    to = recipients or [a.strip() for a in str(message.get("To", "")).split(",") if a.strip()]
    part = message.get_body(("plain", "html")) if isinstance(message, EmailMessage) else None
    text = part.get_content() if part is not None else ""
    return to, str(message.get("Subject", "")), str(text).replace("\r\n", "\n")


def from_ses_form(form: dict[str, list[str]]) -> tuple[str, list[str], str, str] | None:
    """(sender, to, subject, text) of an SES (v1) SendEmail / SendRawEmail request, else None."""
    action = form.get("Action", [""])[0]
    recipients = [v[0] for k, v in sorted(form.items()) if k.startswith("Destination.ToAddresses.member.")]
    recipients += [v[0] for k, v in sorted(form.items()) if k.startswith("Destinations.member.")]
    sender = form.get("Source", [""])[0]
    if action == "SendEmail":
        text = form.get("Message.Body.Text.Data", form.get("Message.Body.Html.Data", [""]))[0]
        return sender, recipients, form.get("Message.Subject.Data", [""])[0], text
    if action == "SendRawEmail":
        try:
            raw = base64.b64decode(form.get("RawMessage.Data", [""])[0])
        except binascii.Error:
            return None
        to, subject, text = _from_mime(raw, recipients)
        return sender, to, subject, text
    return None


def from_sesv2(document: Any) -> tuple[str, list[str], str, str] | None:
    """(sender, to, subject, text) of an SES v2 SendEmail request, else None."""
    if not isinstance(document, dict):
        return None
    to = list((document.get("Destination") or {}).get("ToAddresses") or [])
    content = document.get("Content") or {}
    sender = str(document.get("FromEmailAddress", ""))
    if "Simple" in content:
        simple = content["Simple"]
        body = simple.get("Body") or {}
        text = (body.get("Text") or body.get("Html") or {}).get("Data", "")
        return sender, to, str((simple.get("Subject") or {}).get("Data", "")), str(text)
    if "Raw" in content:
        try:
            raw = base64.b64decode(str(content["Raw"].get("Data", "")))
        except binascii.Error:
            return None
        to, subject, text = _from_mime(raw, to)
        return sender, to, subject, text
    if "Template" in content:
        template = content["Template"]
        name = template.get("TemplateName") or template.get("TemplateArn", "")
        return sender, to, f"(template {name})", str(template.get("TemplateData", ""))
    return None


class Mailbox:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.mails: deque[Mail] = deque(maxlen=KEEP)

    def record(self, sender: str, to: list[str], subject: str, text: str) -> None:
        mail = Mail(to=to, subject=subject, text=text, sent_at=datetime.now(UTC).isoformat(), sender=sender)
        self.mails.appendleft(mail)
        log.info(f"mail from {sender} to {', '.join(to)}: {subject}")
        for line in text.splitlines():
            log.info(f"  | {line}")

    def listing(self, to: str | None) -> list[dict[str, Any]]:
        wanted = (to or "").strip().lower()
        return [
            {key: value for key, value in asdict(m).items() if key != "sender"} | {"from": m.sender}
            for m in self.mails
            if not wanted or wanted in (t.lower() for t in m.to)
        ]

    async def ses(self, request: web.Request, path: str) -> web.Response:
        body = await request.read()
        response = await forward(self.stack, request, path, body)
        if response.status == 200:
            sent = from_ses_form(urllib.parse.parse_qs(body.decode(errors="replace"), keep_blank_values=True))
            if sent:
                self.record(*sent)
        return response

    async def sesv2(self, request: web.Request, path: str) -> web.Response:
        body = await request.read()
        response = await forward(self.stack, request, path, body)
        if response.status == 200 and request.method == "POST" and path.rstrip("/") == "/v2/email/outbound-emails":
            try:
                sent = from_sesv2(json.loads(body or b"{}"))
            except ValueError:
                sent = None
            if sent:
                self.record(*sent)
        return response
