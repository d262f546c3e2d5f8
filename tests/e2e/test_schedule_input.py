"""The reminders schedule's input through the runtime: source metadata with Scheduler's scheduled-time context
attribute, filled in at the run and logged by the function."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from tests.e2e.conftest import Deployed, eventually

LOGGED = re.compile(r"reminders \| (\{.*\"reminders run started\".*\})")


def test_schedule_input_carries_source_metadata_the_run_logs(deployed: Deployed) -> None:
    # Given the deployed reminders schedule: its input names the source and asks Scheduler for the run's time
    scheduler = deployed.client("scheduler")
    group = deployed.outputs["schedule_group_name"]
    target = scheduler.get_schedule(Name="parley-local-reminders", GroupName=group)["Target"]
    assert json.loads(target["Input"]) == {
        "source": "parley.schedules",
        "schedule": "parley-local-reminders",
        "scheduled_time": "<aws.scheduler.scheduled-time>",
    }
    log = deployed.runtime.process.log_file
    seen = len(log.read_text())
    # When it runs
    fired_at = datetime.now(UTC).replace(microsecond=0)
    assert deployed.http.post("/_local/schedules/parley-local-reminders").status_code == 202

    # Then the run's first log line carries the source, the schedule and the time it was due
    def started() -> list[dict[str, object]]:
        return [json.loads(m.group(1)) for m in LOGGED.finditer(log.read_text()[seen:])]

    line = eventually(started, timeout=30)[0]
    assert (line["source"], line["schedule"]) == ("parley.schedules", "parley-local-reminders")
    scheduled = datetime.strptime(str(line["scheduled_time"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert -5 <= (scheduled - fired_at).total_seconds() < 30  # (the rate may fire by itself just before)
