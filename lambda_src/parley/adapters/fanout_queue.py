"""The fan-out queue: big rooms' batches, sent to SQS (domain/fanout.py says what a batch is)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from parley.adapters import aws
from parley.domain import fanout
from parley.domain.fanout import Batch


def enqueue(queue_name: str, batches: list[Batch]) -> list[Batch]:
    """Send every batch to the queue of that name (a retry after its delay); returns the batches SQS did not take."""
    sqs = aws.client("sqs")
    try:
        queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    except (BotoCoreError, ClientError):
        return list(batches)
    refused: list[Batch] = []
    for group in fanout.calls(batches):
        entries = [
            {"Id": str(i), "MessageBody": batch.to_json(), "DelaySeconds": batch.delay_seconds}
            for i, batch in enumerate(group)
        ]
        try:
            response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        except (BotoCoreError, ClientError):
            refused.extend(group)
            continue
        refused.extend(group[int(failure["Id"])] for failure in response.get("Failed") or [])
    return refused
