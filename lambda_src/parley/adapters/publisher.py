"""Publishing to SNS FIFO topics."""

from __future__ import annotations

from parley.adapters import aws


def publish_fifo(topic_arn: str, message: str, group_id: str, deduplication_id: str) -> str:
    """Publish one message; returns its message id."""
    response = aws.client("sns").publish(
        TopicArn=topic_arn, Message=message, MessageGroupId=group_id, MessageDeduplicationId=deduplication_id
    )
    return str(response["MessageId"])
