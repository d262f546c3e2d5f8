"""python -m parley_cli: bad input is one line on stderr and exit status 1, before any network call."""

from __future__ import annotations

from pathlib import Path

import pytest

from parley_cli.__main__ import main


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["relay", "open"], "no e-mail: pass --email or set PARLEY_EMAIL"),
        (["--email", "a@example.com", "relay", "join", "ABC"], "a pairing code is 8 letters or digits"),
        (["--email", "a@example.com", "relay", "open"], "no API URLs: pass --api and --ws"),
    ],
)
def test_parley_cli_bad_input_is_one_line_and_exit_1(
    argv: list[str],
    problem: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("PARLEY_EMAIL", "PARLEY_HTTP_API_URL", "PARLEY_WEBSOCKET_URL"):
        monkeypatch.delenv(name, raising=False)
    code = main(["--env-file", str(tmp_path / "missing.env"), *argv])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("parley_cli: ") and problem in err and err.count("\n") == 1


def test_parley_cli_unreachable_api_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "local.env"
    # Settings come from the file 'make outputs' writes; port 9 (discard) has no server.
    env_file.write_text("PARLEY_HTTP_API_URL=http://127.0.0.1:9/\nPARLEY_WEBSOCKET_URL=ws://127.0.0.1:9/live\n")
    monkeypatch.delenv("PARLEY_HTTP_API_URL", raising=False)
    monkeypatch.delenv("PARLEY_WEBSOCKET_URL", raising=False)
    code = main(["--env-file", str(env_file), "--email", "a@example.com", "relay", "open"])
    err = capsys.readouterr().err
    assert code == 1 and "cannot reach the HTTP API at http://127.0.0.1:9" in err and err.count("\n") == 1
