"""The policy scan (checkov over modules/, envs/ and bootstrap/) finds no failed check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tools import policy_scan
from tools.tfenv import ToolError


def _reports(text: str) -> list[dict[str, Any]]:
    """checkov prints one JSON document per scanned folder (or a list of them)."""
    decoder, reports, position = json.JSONDecoder(), [], 0
    while position < len(text.rstrip()):
        document, end = decoder.raw_decode(text, position)
        reports += document if isinstance(document, list) else [document]
        position = end + (len(text[end:]) - len(text[end:].lstrip()))
    return reports


def _scan(*extra: str) -> list[dict[str, Any]]:
    try:
        policy_scan.checkov_binary()
    except ToolError as exc:
        pytest.skip(str(exc))
    result = policy_scan.scan(["-o", "json", *extra])
    assert result.stdout.strip(), result.stderr
    return _reports(result.stdout)


def test_policy_scan_finds_no_failed_check_in_the_terraform_folders() -> None:
    reports = _scan()
    failed = [
        f"{c['check_id']} {c['resource']} ({c['file_path']}:{c['file_line_range'][0]})"
        for report in reports
        for c in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert sum(r["summary"]["passed"] for r in reports) > 0


def test_policy_scan_skips_are_inline_with_a_reason() -> None:
    skips = [
        line.strip()
        for folder in ("modules", "envs", "bootstrap")
        for path in Path(policy_scan.ROOT, folder).rglob("*.tf")
        for line in path.read_text().splitlines()
        if "checkov:skip" in line
    ]
    assert skips, "no inline skips found: the scan config may have lost its folders"
    for skip in skips:
        check, _, reason = skip.removeprefix("#checkov:skip=").partition(":")
        assert check.startswith("CKV") and len(reason.strip()) > 10, f"skip without a reason: {skip}"


def test_policy_scan_fails_on_an_open_ssh_security_group(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_security_group" "open" {\n  name = "open"\n  ingress {\n'
        '    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
    )
    reports = _scan("-d", str(tmp_path))
    failed = {c["check_id"] for report in reports for c in report["results"]["failed_checks"]}
    assert "CKV_AWS_24" in failed
