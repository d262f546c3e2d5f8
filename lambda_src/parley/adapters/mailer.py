"""Plain-text mail through SES (v2)."""

from __future__ import annotations

from parley.adapters import aws


def send_text(sender: str, to: str, subject: str, body: str, configuration_set: str | None = None) -> None:
    request = {
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
    aws.client("sesv2").send_email(**request)
