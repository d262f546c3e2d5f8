"""SQS event source mappings: one poller per enabled mapping, as the Lambda service runs them.

Each poller long-polls its queue for up to the mapping's batch size (SQS gives
at most 10 at a time) and invokes the function with real SQS records. A
successful batch is deleted; with ``ReportBatchItemFailures`` only the
records not listed in ``batchItemFailures`` are (a malformed list fails the
whole batch); a failed invocation deletes nothing. Records left in the queue
come back after the queue's visibility timeout — or after
``--queue-retry-seconds`` when set — and the queue's redrive policy moves one
to its dead-letter queue once it was received ``maxReceiveCount`` times.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tools.runtime import log
from tools.runtime.config import REGION, QueueMapping
from tools.runtime.stack import Stack

WAIT_SECONDS = 1
BACKOFF_SECONDS = 2.0


def record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """The Lambda SQS event record of a received message."""
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        binary = value.get("BinaryValue")
        attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if isinstance(binary, bytes) else binary,
            "stringListValues": list(value.get("StringListValues") or []),
            "binaryListValues": list(value.get("BinaryListValues") or []),
            "dataType": value.get("DataType", "String"),
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def failed_ids(result: Any, batch: list[str]) -> set[str]:
    """The message ids to keep from a ``ReportBatchItemFailures`` answer; all of them when it is malformed."""
    if not isinstance(result, dict) or result.get("batchItemFailures") is None:
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return set(batch)
    ids = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in batch:
            return set(batch)
        ids.add(identifier)
    return ids


class QueuePollers:
    def __init__(self, stack: Stack, retry_seconds: int | None) -> None:
        self.stack = stack
        self.retry_seconds = retry_seconds
        self._tasks: dict[QueueMapping, asyncio.Task[None]] = {}

    def sync(self) -> None:
        """Run exactly one poller per mapping of the current configuration."""
        wanted = set(self.stack.config.mappings)
        for mapping in [m for m in self._tasks if m not in wanted]:
            self._tasks.pop(mapping).cancel()
        for mapping in wanted - set(self._tasks):
            self._tasks[mapping] = asyncio.create_task(self._poll(mapping))
            log.info(
                f"polling {mapping.queue_arn.rsplit(':', 1)[-1]} for {mapping.function} (batch {mapping.batch_size})"
            )

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _poll(self, mapping: QueueMapping) -> None:
        warned = False
        while True:
            try:
                received = await self.stack.aws(
                    "sqs",
                    "receive_message",
                    QueueUrl=mapping.queue_url,
                    MaxNumberOfMessages=min(mapping.batch_size, 10),
                    WaitTimeSeconds=WAIT_SECONDS,
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
                warned = False
                messages = received.get("Messages") or []
                if messages:
                    await self._deliver(mapping, messages)
            except (BotoCoreError, ClientError) as error:
                if not warned:
                    log.warning(f"polling {mapping.queue_url} failed: {error}")
                    warned = True
                await asyncio.sleep(BACKOFF_SECONDS)
            except Exception:  # noqa: BLE001 - a poller never dies: the records stay in the queue for the next try
                log.logger.exception("delivering from %s failed", mapping.queue_url)
                await asyncio.sleep(BACKOFF_SECONDS)

    async def _deliver(self, mapping: QueueMapping, messages: list[dict[str, Any]]) -> None:
        records = [record(m, mapping.queue_arn) for m in messages]
        outcome = await self.stack.invoke(mapping.function, {"Records": records})
        ids = [r["messageId"] for r in records]
        if not outcome.ok:
            log.info(f"  {mapping.function} | {outcome.error_type}: {outcome.error_message}")
            keep = set(ids)
        else:
            keep = failed_ids(outcome.result, ids) if mapping.report_failures else set()
        done = [r for r in records if r["messageId"] not in keep]
        if done:
            await self.stack.aws(
                "sqs", "delete_message_batch", QueueUrl=mapping.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": r["receiptHandle"]} for i, r in enumerate(done)],
            )  # fmt: skip
        if keep and self.retry_seconds is not None:
            for r in records:
                if r["messageId"] in keep:
                    with contextlib.suppress(ClientError):
                        await self.stack.aws(
                            "sqs", "change_message_visibility", QueueUrl=mapping.queue_url,
                            ReceiptHandle=r["receiptHandle"], VisibilityTimeout=self.retry_seconds,
                        )  # fmt: skip
        status = "ok" if not keep else f"{len(keep)} failed"
        name = mapping.queue_arn.rsplit(":", 1)[-1]
        log.invocation(mapping.function, f"sqs {name} ({len(records)} records)", status, outcome.duration_ms)
