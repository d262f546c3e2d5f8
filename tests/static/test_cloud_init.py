"""shellcheck on the boot scripts of the media servers, as Terraform renders them for each plan fixture,
and caddy's own validation of the Caddy configurations they write.

Every plan case of modules/turn_ec2 and modules/livekit_ec2 is rendered (so the
toggles the plan tier covers, with and without a domain and TLS, are checked
here too), and so is every script the boot script writes from a quoted heredoc
(e.g. the TURN certificate installer). All optional checks are on except SC2250
(braces around every variable), which in a Terraform template would mean
writing ``$${name}`` for each shell variable.

``caddy validate`` loads and provisions a configuration without starting it
(no certificate is requested): it refuses unknown modules and unknown fields.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import system_command
from tests.module_render import FIXTURES, accepted_cases, cloud_init, heredoc

MODULES = ["turn_ec2", "livekit_ec2"]
CASES = [(module, case) for module in MODULES for case in accepted_cases(module)]
SHELLCHECK_OPTIONS = ["--shell=bash", "--enable=all", "--exclude=SC2250", "--format=gcc"]
# The Caddy configuration each server writes when it has a domain, and caddy's options to read it.
CADDY_CONFIGS = {
    "turn_ec2": ("domain_asg", "/etc/caddy/caddy.json", []),
    "livekit_ec2": ("single_tls_asg", "/etc/caddy/Caddyfile", ["--adapter", "caddyfile"]),
}
# A heredoc with a quoted delimiter whose body starts with a shebang: a script written as it is.
_EMBEDDED = re.compile(r"<<'([A-Z]+)'\n(#!/bin/bash\n.*?)^\1$", re.M | re.S)


def shellcheck(script: str) -> str:
    result = subprocess.run(
        [system_command("shellcheck"), *SHELLCHECK_OPTIONS, "-"], input=script, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def render_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("render")


@pytest.mark.parametrize(("module", "case"), CASES, ids=[f"{m}-{c}" for m, c in CASES])
def test_cloud_init_passes_shellcheck(render_dir: Path, module: str, case: str) -> None:
    script = cloud_init(module, case, render_dir)
    assert script.startswith("#!/bin/bash\n")
    for name, body in [("user data", script), *((m.group(1), m.group(2)) for m in _EMBEDDED.finditer(script))]:
        assert shellcheck(body) == "", f"{module}/{case} {name}:\n{shellcheck(body)}"


def test_cloud_init_cases_cover_domain_and_no_domain() -> None:
    for module in MODULES:
        with_domain = {
            case: bool(re.search(r'domain\s*=\s*"[a-z]', (FIXTURES / module / f"{case}.tfvars").read_text()))
            for case in accepted_cases(module)
        }
        assert set(with_domain.values()) == {True, False}, f"{module}: {with_domain}"


def test_cloud_init_embedded_scripts_are_checked(render_dir: Path) -> None:
    script = cloud_init("turn_ec2", "domain_asg", render_dir)
    assert [m.group(1) for m in _EMBEDDED.finditer(script)] == ["SCRIPT"]


def test_cloud_init_shellcheck_reports_what_it_should() -> None:
    """The options in use do report a masked failure and an unquoted expansion."""
    report = shellcheck("#!/bin/bash\nread -r a < <(false)\necho $a\n")
    assert "SC2312" in report and "SC2086" in report


def caddy_validate(config: Path, options: list[str]) -> subprocess.CompletedProcess[str]:
    folder = config.parent
    return subprocess.run(
        [system_command("caddy"), "validate", "--config", str(config), *options],
        env={**os.environ, "HOME": str(folder), "XDG_DATA_HOME": str(folder), "XDG_CONFIG_HOME": str(folder)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("module", sorted(CADDY_CONFIGS))
def test_cloud_init_caddy_configuration_is_valid(render_dir: Path, tmp_path: Path, module: str) -> None:
    case, path, options = CADDY_CONFIGS[module]
    config = tmp_path / Path(path).name
    config.write_text(heredoc(cloud_init(module, case, render_dir), path))
    result = caddy_validate(config, options)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr


def test_cloud_init_caddy_validate_refuses_an_unknown_field(render_dir: Path, tmp_path: Path) -> None:
    case, path, options = CADDY_CONFIGS["turn_ec2"]
    config = json.loads(heredoc(cloud_init("turn_ec2", case, render_dir), path))
    config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["challenge"] = {}
    (tmp_path / "caddy.json").write_text(json.dumps(config))
    result = caddy_validate(tmp_path / "caddy.json", options)
    assert result.returncode != 0 and 'unknown field "challenge"' in result.stderr
