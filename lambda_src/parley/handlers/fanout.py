"""The fanout function: posts the batches of big rooms' fan-out from the SQS queue (domain/fanout.py).

Each record is one batch: its frame is posted to its connections with the same
bounded pool as the ``ws`` function, connections that answer 410 are deleted,
and those that still failed are queued again as a smaller batch (after
``MAX_ATTEMPTS``, sent to the dead-letter queue). A record is reported as a
batch item failure only when it could not be handled (malformed, or the retry
could not be queued): SQS then retries that record alone.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from parley.adapters import fanout_queue, websocket
from parley.adapters.connections import Connections
from parley.adapters.table import Table
from parley.domain import fanout
from parley.settings import BaseSettings, env, load, settings_class

logger = Logger(service="parley")


@settings_class
class FanoutSettings(BaseSettings):
    management_endpoint: str = env("WS_MANAGEMENT_ENDPOINT")
    concurrency: int = env("WS_FANOUT_CONCURRENCY", default=websocket.DEFAULT_CONCURRENCY, parse=int)
    queue: str = env("WS_FANOUT_QUEUE")
    dead_letter_queue: str = env("WS_FANOUT_DLQ")


class RetryNotQueued(RuntimeError):
    """The failed connections of a batch could not be queued again: the whole record is retried."""


def record_handler(record: SQSRecord) -> None:
    settings: FanoutSettings = load(FanoutSettings)
    batch = fanout.parse_batch(record.body)
    result = websocket.fan_out(settings.management_endpoint, batch.targets, batch.frame.encode(), settings.concurrency)
    connections = Connections(Table(settings.table_name))
    for gone in result.gone:
        connections.drop(gone)
    if result.failed:
        final = batch.attempt >= fanout.MAX_ATTEMPTS
        retry = fanout.Batch(batch.frame, tuple(result.failed), batch.attempt) if final else batch.retry(result.failed)
        if fanout_queue.enqueue(settings.dead_letter_queue if final else settings.queue, [retry]):
            raise RetryNotQueued(f"{len(result.failed)} connections of attempt {batch.attempt}")
    logger.info(
        "fan-out batch",
        extra={
            "attempt": batch.attempt,
            "sent": len(result.sent),
            "gone": len(result.gone),
            "failed": len(result.failed),
        },
    )


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS)
    processor.raise_on_entire_batch_failure = False  # a batch whose every record failed is reported, not raised
    return dict(
        process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    )
