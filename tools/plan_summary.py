"""A Markdown summary of the plan ``make plan ENV=...`` saved, for people and CI.

    python3 -m tools.plan_summary ENV

Prints the summary (counts, then one line per changed resource) and writes it
to ``<home>/plans/<env>.md``, where CI picks it up for the job summary and the
pull request comment.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tools import local
from tools.tfenv import ToolError

MAX_ROWS = 60
# How each list of actions terraform reports reads in the summary, most drastic first.
ACTIONS = {
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
    ("delete",): "destroy",
    ("update",): "update",
    ("create",): "create",
}
ORDER = ["replace", "destroy", "update", "create"]


def marker(env_name: str) -> str:
    """The hidden line CI uses to find and update its own pull request comment."""
    return f"<!-- parley-plan:{env_name} -->"


def changes(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(action, address) of every resource the plan changes, most drastic first."""
    found = []
    for change in plan.get("resource_changes", []):
        action = ACTIONS.get(tuple(change["change"]["actions"]))
        if action is not None and change.get("mode", "managed") == "managed":
            found.append((action, change["address"]))
    return sorted(found, key=lambda item: (ORDER.index(item[0]), item[1]))


def render(env_name: str, plan: dict[str, Any]) -> str:
    rows = changes(plan)
    counts = Counter(action for action, _ in rows)
    add, change = counts["create"] + counts["replace"], counts["update"]
    destroy = counts["destroy"] + counts["replace"]
    lines = [marker(env_name), f"### Terraform plan: `{env_name}`", ""]
    if not rows:
        lines.append("**No changes.** The deployed stack matches the code.")
        return "\n".join(lines) + "\n"
    headline = f"**{add} to add, {change} to change, {destroy} to destroy**"
    if counts["destroy"] or counts["replace"]:
        headline += f" (destroys or replaces {counts['destroy'] + counts['replace']}: read them before applying)"
    lines += [headline, "", "<details><summary>Changed resources</summary>", "", "| action | resource |", "|---|---|"]
    lines += [f"| {action} | `{address}` |" for action, address in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        lines.append(f"| ... | {len(rows) - MAX_ROWS} more: see the plan artifact |")
    lines += ["", "</details>"]
    version = plan.get("terraform_version")
    if version:
        lines += ["", f"<sub>terraform {version}</sub>"]
    return "\n".join(lines) + "\n"


def saved_plan(env_name: str) -> dict[str, Any]:
    workspace = local.Workspace(env_name)
    if not workspace.plan_file.is_file():
        raise ToolError(f"no saved plan for ENV={env_name}: run 'make plan ENV={env_name}' first")
    result = local.terraform(workspace.root, ["show", "-json", str(workspace.plan_file)], workspace.environ)
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def write(env_name: str, text: str) -> Path:
    path = local.Workspace(env_name).plan_file.with_suffix(".md")
    path.write_text(text)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python3 -m tools.plan_summary ENV", file=sys.stderr)
        return 2
    try:
        text = render(args[0], saved_plan(args[0]))
        write(args[0], text)
    except ToolError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
