"""clients/web: the vendored npm files are the pinned versions, the local site's headers are the module's."""

from __future__ import annotations

import json
import re

from parley.domain import files
from tools import hcl
from tools.runtime import site
from tools.tfenv import ROOT

WEB = ROOT / "clients" / "web"


def test_web_client_vendored_files_are_the_locked_versions() -> None:
    lock = json.loads((WEB / "package-lock.json").read_text())["packages"]
    pins = json.loads((WEB / "package.json").read_text())
    assert lock["node_modules/livekit-client"]["version"] == pins["dependencies"]["livekit-client"]
    assert lock["node_modules/axe-core"]["version"] == pins["devDependencies"]["axe-core"]
    livekit = (WEB / "vendor" / "livekit-client.esm.mjs").read_text()
    assert f'"{pins["dependencies"]["livekit-client"]}"' in livekit
    axe = (ROOT / "tests" / "e2e" / "vendor" / "axe.min.js").read_text()
    assert axe.startswith(f"/*! axe v{pins['devDependencies']['axe-core']}\n")


def test_web_client_local_site_headers_are_the_static_site_modules() -> None:
    variables = hcl.load(ROOT / "modules" / "static_site" / "variables.tf")
    block = next(v['"security_headers"'] for v in variables["variable"] if '"security_headers"' in v)
    csp = re.search(r'content_security_policy = optional\(string, "([^"]+)"\)', block["type"])
    hsts = re.search(r"hsts_max_age_seconds = optional\(number, (\d+)\)", block["type"])
    assert csp and csp.group(1) == site.CONTENT_SECURITY_POLICY
    assert hsts and int(hsts.group(1)) == site.HSTS_MAX_AGE_SECONDS


def test_web_client_modules_are_plain_es_modules_with_a_config() -> None:
    html = (WEB / "index.html").read_text()
    assert '<script type="module" src="/app.js">' in html
    for script in WEB.glob("*.js"):
        imports = re.findall(r'from "([^"]+)"', script.read_text())
        assert all(path.startswith("./") and (WEB / path).is_file() for path in imports), (script, imports)


def test_web_client_shows_inline_the_attachment_types_the_server_serves_inline() -> None:
    found = re.search(r"const INLINE_TYPES = new Set\(\[([^\]]*)\]\);", (WEB / "app.js").read_text())
    assert found, "app.js defines INLINE_TYPES"
    assert set(re.findall(r'"([^"]+)"', found.group(1))) == files.INLINE_TYPES
