"""Sending plain-text e-mail through SES."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from parley.adapters import aws
from parley.domain.reminders import EmailStatus

# SES refusals that a retry of the same message cannot fix.
_PERMANENT = {
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "InvalidParameterValue",
    "ConfigurationSetDoesNotExist",
}


def send_text(sender: str, to: str, subject: str, text: str) -> EmailStatus:
    try:
        aws.client("ses").send_email(
            Source=sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        return EmailStatus.REJECTED if code in _PERMANENT else EmailStatus.TRANSIENT
    except BotoCoreError:
        return EmailStatus.TRANSIENT
    return EmailStatus.SENT
