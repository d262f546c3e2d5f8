"""Schedules through the runtime: a schedule that fires by itself in its time zone, retries and dead-letters,
firing one now, and a due reminder delivered over WebSocket."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.e2e.conftest import Deployed, Session, eventually, frames_until


def test_schedules_fire_on_time_retry_dead_letter_and_deliver_a_due_reminder(
    deployed: Deployed, alice: Session
) -> None:
    # Given a reminder due in 40 s (the API accepts 30 s ahead at the soonest; the rest of the test runs meanwhile)
    due = datetime.now(UTC) + timedelta(seconds=40)
    created = deployed.http.post(
        "/reminders", json={"due_at": due.isoformat(), "text": "stand up"}, headers=alice.headers
    )
    assert created.status_code == 201, created.text
    # Alice is online from now on: whichever run finds the reminder due (the reminders schedule may also
    # fire by itself on its rate meanwhile) delivers it to this socket.
    with deployed.connect(alice) as socket:
        # A one-off schedule in Paris time, created on the emulator after the runtime started: the runtime
        # picks it up on its next read, fires it by itself, retries per its policy and dead-letters it.
        scheduler, sqs = deployed.client("scheduler"), deployed.client("sqs")
        group = deployed.outputs["schedule_group_name"]
        reminders = scheduler.get_schedule(Name="parley-local-reminders", GroupName=group)["Target"]
        dlq_url = deployed.outputs["schedules_dead_letter_queue_url"]
        at = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(seconds=12)).strftime("%Y-%m-%dT%H:%M:%S")
        missing = reminders["Arn"].replace("parley-local-reminders", "parley-local-no-such-function")
        scheduler.create_schedule(
            Name="e2e-broken", GroupName=group, ScheduleExpression=f"at({at})",
            ScheduleExpressionTimezone="Europe/Paris",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": missing, "RoleArn": reminders["RoleArn"], "Input": '{"probe": 1}',
                    "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 120},
                    "DeadLetterConfig": reminders["DeadLetterConfig"]},
        )  # fmt: skip
        try:
            fired = time.monotonic()

            def dead_lettered() -> list[dict[str, object]]:
                return sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"]).get("Messages", [])

            (message,) = eventually(dead_lettered, timeout=40, interval=0.5)
            assert time.monotonic() - fired >= 8, "fired before its time"
            attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
            assert json.loads(message["Body"]) == {"probe": 1}
            assert attributes["ERROR_CODE"] == "ResourceNotFoundException" and attributes["RETRY_ATTEMPTS"] == "2"
            assert attributes["TARGET_ARN"] == missing and attributes["SCHEDULE_ARN"].endswith("/e2e-broken")
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
        finally:
            scheduler.delete_schedule(Name="e2e-broken", GroupName=group)

        unknown = deployed.http.post("/_local/schedules/no-such-schedule")
        assert unknown.status_code == 404 and unknown.json()["error"] == "schedule_not_found"

        # When the reminder is due and the reminders schedule is fired now, Alice's open socket gets it.
        time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds() + 0.5))
        fire = deployed.http.post("/_local/schedules/parley-local-reminders")
        assert fire.status_code == 202 and fire.json()["group"] == group
        frame = frames_until(socket, lambda f: f.get("type") == "reminder", timeout=20)[-1]
        assert frame["reminder"]["text"] == "stand up" and frame["reminder"]["id"] == created.json()["reminder_id"]
