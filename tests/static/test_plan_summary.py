"""The Markdown summary CI posts for a saved plan."""

from __future__ import annotations

from typing import Any

from tools import plan_summary


def _change(address: str, *actions: str, mode: str = "managed") -> dict[str, Any]:
    return {"address": address, "mode": mode, "change": {"actions": list(actions)}}


def test_plan_summary_counts_like_terraform_and_lists_drastic_changes_first() -> None:
    # Given a plan that creates, updates, replaces and destroys, and reads a data source
    plan = {
        "terraform_version": "1.11.4",
        "resource_changes": [
            _change("module.stack.aws_lambda_function.new", "create"),
            _change("module.stack.aws_iam_role.changed", "update"),
            _change("module.stack.aws_s3_bucket.swapped", "delete", "create"),
            _change("module.stack.aws_sqs_queue.gone", "delete"),
            _change("module.stack.aws_dynamodb_table.same", "no-op"),
            _change("data.aws_iam_policy_document.read", "read", mode="data"),
        ],
    }
    # When it is summarised
    text = plan_summary.render("dev", plan)
    # Then the headline matches terraform's own count and warns about destruction
    assert text.startswith(plan_summary.marker("dev") + "\n")
    assert "**2 to add, 1 to change, 2 to destroy**" in text
    assert "destroys or replaces 2" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert [row.split(" | ")[0] for row in rows] == ["| replace", "| destroy", "| update", "| create"]
    assert "no-op" not in text and "aws_dynamodb_table.same" not in text and "data.aws_iam" not in text


def test_plan_summary_says_no_changes_for_an_empty_plan() -> None:
    text = plan_summary.render("prod", {"resource_changes": [_change("aws_s3_bucket.x", "no-op")]})
    assert "**No changes.**" in text and "| action |" not in text


def test_plan_summary_truncates_long_plans_and_points_at_the_artifact() -> None:
    plan = {"resource_changes": [_change(f"aws_sqs_queue.q{i:03}", "create") for i in range(plan_summary.MAX_ROWS + 5)]}
    text = plan_summary.render("dev", plan)
    assert f"**{plan_summary.MAX_ROWS + 5} to add, 0 to change, 0 to destroy**" in text
    assert "5 more: see the plan artifact" in text
    assert text.count("| create |") == plan_summary.MAX_ROWS
