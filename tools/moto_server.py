"""Start moto server with the fidelity fixes parley's idempotent plans need.

    python -m tools.moto_server -H 127.0.0.1 -p 4566

- SQS returns RedrivePolicy as compact JSON, as AWS does; moto's default
  spacing makes the AWS provider plan a change on every run.
AWS managed IAM policies are loaded through MOTO_IAM_LOAD_MANAGED_POLICIES,
which tools.emulator sets.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from moto.server import main
from moto.sqs import models as sqs_models

_attributes = sqs_models.Queue.attributes.fget  # type: ignore[attr-defined]


def _aws_attributes(queue: Any) -> dict[str, Any]:
    result: dict[str, Any] = _attributes(queue)  # type: ignore[misc]
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy, separators=(",", ":"))
    return result


sqs_models.Queue.attributes = property(_aws_attributes)  # type: ignore[method-assign,assignment]

if __name__ == "__main__":
    main(sys.argv[1:])
