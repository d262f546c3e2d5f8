"""Plain-text mail through SES (v2): the one mail adapter, used by sign-in codes and reminders."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from parley.adapters import aws

# SES refusals that a retry of the same message cannot fix.
PERMANENT = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "InvalidParameterValue",
        "BadRequestException",
        "NotFoundException",
        "ConfigurationSetDoesNotExist",
    }
)


class MailRejected(Exception):
    """SES refused the message for good (unverified sender, bad address, ...)."""


class MailUnavailable(Exception):
    """SES could not take the message now (throttling, network): try later."""


def send_text(sender: str, to: str, subject: str, body: str, configuration_set: str | None = None) -> None:
    """Send one plain-text mail; MailRejected or MailUnavailable when it was not sent."""
    request: dict[str, Any] = {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {
            "Simple": {
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            }
        },
    }
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    try:
        aws.client("sesv2").send_email(**request)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        raise (MailRejected if code in PERMANENT else MailUnavailable)(code) from None
    except BotoCoreError as error:
        raise MailUnavailable(type(error).__name__) from None
