#!/usr/bin/env python3
"""Deterministic Lambda packager.

Builds one zip per deployed function (listed in ``lambda_src/functions.toml``)
from the shared ``lambda_src/parley`` package plus that function's third-party
requirements, installed for python3.12 / arm64 from manylinux wheels (no
containers). Writes ``build/lambda/manifest.json`` with each artifact's path,
base64 SHA-256 and size; Terraform reads the manifest, never the zips.

Zips are byte-identical for identical inputs, whatever the file mtimes, modes,
umask or checkout path: entries are sorted, timestamps fixed, permissions
normalised, and caches and compiled files left out.

A function declared with ``baked_config = true`` (Lambda@Edge has no environment
variables) takes its settings as a JSON file at build time:
``--config NAME=FILE`` stores it, canonicalised, as ``parley/baked_config.json``
in that function's zip and records its SHA-256 in the manifest.

Standard library only, so it runs with a plain ``python3`` before any venv.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SRC = ROOT / "lambda_src"
PACKAGE = "parley"
FUNCTIONS_FILE = SRC / "functions.toml"
REQUIREMENTS_FILE = SRC / "requirements.txt"

# Bump when the zip layout changes, so every artifact is rebuilt once.
LAYOUT_VERSION = "1"
TARGET_PYTHON = "3.12"
TARGET_PLATFORMS = ("manylinux2014_aarch64", "manylinux_2_28_aarch64")
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
BAKED_CONFIG_NAME = f"{PACKAGE}/baked_config.json"
SKIPPED_DIRS = {"__pycache__", "bin"}
SKIPPED_SUFFIXES = (".pyc", ".pyo")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class BuildError(Exception):
    """A problem the user can fix; printed as one line."""


@dataclass(frozen=True)
class Function:
    name: str
    handler: str
    requirements: tuple[str, ...]
    baked_config: bool = False


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path = REQUIREMENTS_FILE) -> dict[str, str]:
    """Map normalised project name -> pinned requirement line."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([A-Za-z0-9.+!_-]+)", line)
        if not match:
            raise BuildError(f"{path.name}:{number}: '{line}' is not pinned as name==version")
        pins[_normalise(match.group(1))] = line
    return pins


def read_functions(path: Path = FUNCTIONS_FILE, pins: dict[str, str] | None = None) -> list[Function]:
    pins = read_pins() if pins is None else pins
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BuildError(f"cannot read {path.relative_to(ROOT)}: {exc}") from None
    functions = []
    for name, spec in sorted(data.items()):
        if not NAME_RE.match(name) or not isinstance(spec, dict):
            raise BuildError(f"functions.toml: '{name}' must be a lower_snake_case table")
        handler = spec.get("handler", f"{PACKAGE}.handlers.{name}.handler")
        requirements = spec.get("requirements", [])
        baked_config = spec.get("baked_config", False)
        if not isinstance(handler, str) or not isinstance(requirements, list) or not isinstance(baked_config, bool):
            raise BuildError(
                f"functions.toml: [{name}] handler must be a string, requirements a list, baked_config a boolean"
            )
        unknown = [r for r in requirements if _normalise(r) not in pins]
        if unknown:
            raise BuildError(
                f"functions.toml: [{name}] requires {', '.join(unknown)}, not pinned in lambda_src/requirements.txt"
            )
        functions.append(Function(name, handler, tuple(sorted(_normalise(r) for r in requirements)), baked_config))
    if not functions:
        raise BuildError("functions.toml lists no function")
    return functions


def check_handler(src: Path, function: Function) -> None:
    """Fail early when the handler module or its function is missing."""
    module, _, attr = function.handler.rpartition(".")
    module_path = src.joinpath(*module.split(".")).with_suffix(".py")
    if not module_path.is_file():
        raise BuildError(f"{function.name}: handler module {module} not found ({module_path.relative_to(ROOT)})")
    text = module_path.read_text(encoding="utf-8")
    if not re.search(rf"^(def {attr}\(|{attr}\s*[:=])", text, re.MULTILINE):
        raise BuildError(f"{function.name}: {module} defines no '{attr}'")


def source_files(base: Path) -> list[tuple[str, Path]]:
    """(archive name, path) for every file below base, sorted, caches left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
        for filename in filenames:
            if filename.endswith(SKIPPED_SUFFIXES):
                continue
            path = Path(dirpath) / filename
            found.append((path.relative_to(base).as_posix(), path))
    return sorted(found)


def digest_files(files: list[tuple[str, Path]]) -> str:
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def deps_key(function: Function, pins: dict[str, str]) -> str:
    lines = [pins[name] for name in function.requirements]
    if not lines:
        return ""
    payload = json.dumps([lines, TARGET_PYTHON, TARGET_PLATFORMS, LAYOUT_VERSION])
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def install_deps(key: str, function: Function, pins: dict[str, str], cache: Path) -> Path:
    """Install the function's requirements for the Lambda target once per key."""
    target = cache / "deps" / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{key}.", dir=target.parent))
    platforms = [arg for platform in TARGET_PLATFORMS for arg in ("--platform", platform)]
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(staging), *platforms, "--implementation", "cp",
        "--python-version", TARGET_PYTHON, "--only-binary=:all:", "--no-compile",
        "--constraint", str(REQUIREMENTS_FILE),
        *(pins[name] for name in function.requirements),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        lines = [line for line in result.stderr.splitlines() if line.strip() and "WARNING" not in line]
        reason = lines[-1].strip() if lines else f"pip exited {result.returncode}"
        raise BuildError(f"{function.name}: cannot install {', '.join(function.requirements)}: {reason}")
    unpinned = sorted(
        _normalise(d.name.split("-")[0])
        for d in staging.glob("*.dist-info")
        if _normalise(d.name.split("-")[0]) not in pins
    )
    if unpinned:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(
            f"{function.name}: unpinned dependencies {', '.join(unpinned)}: pin them in lambda_src/requirements.txt"
        )
    try:
        staging.rename(target)
    except OSError:  # another build won the race; its copy is identical
        shutil.rmtree(staging, ignore_errors=True)
    return target


def write_zip(path: Path, files: list[tuple[str, Path]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, source in sorted(files):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes(), compresslevel=9)
    os.replace(tmp, path)


def copy_file(source: Path, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    shutil.copyfile(source, tmp)
    os.replace(tmp, path)


def file_sha256_b64(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def load_manifest(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        functions = data["functions"]
        return functions if isinstance(functions, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(path: Path, functions: dict[str, dict[str, object]]) -> None:
    body = json.dumps({"format": 1, "functions": functions}, indent=2, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".manifest.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def read_configs(specs: list[str], functions: list[Function], cache: Path) -> dict[str, Path]:
    """NAME=FILE options -> canonical JSON files under the cache, by function name."""
    baked = {f.name for f in functions if f.baked_config}
    configs: dict[str, Path] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or name not in baked:
            raise BuildError(
                f"--config {spec}: expected NAME=FILE with NAME one of {', '.join(sorted(baked)) or '(none)'}"
            )
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BuildError(f"--config {name}: cannot read {file} as JSON: {exc}") from None
        if not isinstance(data, dict):
            raise BuildError(f"--config {name}: {file} must hold a JSON object")
        body = (json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n").encode()
        target = cache / "config" / f"{hashlib.sha256(body).hexdigest()}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file():
            target.write_bytes(body)
        configs[name] = target
    return configs


def plan(
    out: Path, config_specs: list[str] | None = None, cache: Path | None = None
) -> tuple[list[Function], dict[str, str], dict[str, str], list[tuple[str, Path]], dict[str, Path]]:
    """Everything that decides the artifacts: functions, pins, input fingerprints, sources, baked configs."""
    pins = read_pins()
    functions = read_functions(pins=pins)
    for function in functions:
        check_handler(SRC, function)
    configs = read_configs(config_specs or [], functions, cache or out.parent / "cache")
    sources = [(f"{PACKAGE}/{name}", path) for name, path in source_files(SRC / PACKAGE)]
    source_digest = digest_files(sources)
    fingerprints = {
        f.name: hashlib.sha256(
            json.dumps([LAYOUT_VERSION, source_digest, deps_key(f, pins), f.handler]
                       + ([configs[f.name].stem] if f.name in configs else [])).encode()
        ).hexdigest()
        for f in functions
    }  # fmt: skip
    return functions, pins, fingerprints, sources, configs


def build(out: Path, cache: Path, only: set[str] | None = None, config_specs: list[str] | None = None) -> int:
    functions, pins, fingerprints, sources, configs = plan(out, config_specs, cache)
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    previous = load_manifest(manifest_path)
    entries: dict[str, dict[str, object]] = {}
    # Functions with the same dependencies and baked config get byte-identical packages (the handler is not in
    # the zip): each distinct package is compressed once per run and copied for the others.
    packages: dict[tuple[str, str], Path] = {}
    for function in functions:
        zip_path = out / f"{function.name}.zip"
        content = (deps_key(function, pins), configs[function.name].stem if function.name in configs else "")
        old = previous.get(function.name, {})
        started = time.monotonic()
        fresh = (
            old.get("inputs") == fingerprints[function.name]
            and zip_path.is_file()
            and old.get("sha256") == file_sha256_b64(zip_path)
        )
        if fresh or (only is not None and function.name not in only and old):
            entries[function.name] = old
            status = "cached"
            if fresh:
                packages.setdefault(content, zip_path)
        else:
            if content in packages:
                copy_file(packages[content], zip_path)
            else:
                files = list(sources)
                if content[0]:
                    files += source_files(install_deps(content[0], function, pins, cache))
                if function.name in configs:
                    files.append((BAKED_CONFIG_NAME, configs[function.name]))
                write_zip(zip_path, files)
                packages[content] = zip_path
            entries[function.name] = {
                "handler": function.handler,
                "inputs": fingerprints[function.name],
                "path": zip_path.name,
                "sha256": file_sha256_b64(zip_path),
                "size": zip_path.stat().st_size,
            }
            if function.name in configs:
                entries[function.name]["config_sha256"] = configs[function.name].stem
            status = f"built in {time.monotonic() - started:.1f}s"
        size = int(entries[function.name]["size"])  # type: ignore[call-overload]
        print(f"  {function.name:<24} {size / 1e6:6.2f} MB  {status}", flush=True)
    for stale in sorted(set(previous) - set(entries)):
        (out / f"{stale}.zip").unlink(missing_ok=True)
    write_manifest(manifest_path, entries)
    print(f"manifest: {manifest_path.relative_to(ROOT) if manifest_path.is_relative_to(ROOT) else manifest_path}")
    return 0


def check(out: Path, config_specs: list[str] | None = None) -> int:
    functions, _, fingerprints, _, _ = plan(out, config_specs)
    previous = load_manifest(out / "manifest.json")
    stale = [
        f.name
        for f in functions
        if previous.get(f.name, {}).get("inputs") != fingerprints[f.name] or not (out / f"{f.name}.zip").is_file()
    ]
    extra = sorted(set(previous) - {f.name for f in functions})
    if stale or extra:
        print(f"build.py: manifest is stale ({', '.join(stale + extra)}): run 'make build'", file=sys.stderr)
        return 1
    print(f"manifest up to date ({len(functions)} functions)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lambda", help="artifact directory")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cache", help="dependency cache directory")
    parser.add_argument("--check", action="store_true", help="exit 1 if the manifest is stale")
    parser.add_argument("--only", action="append", metavar="NAME", help="rebuild only these functions")
    parser.add_argument(
        "--config", action="append", default=[], metavar="NAME=FILE", help="bake a JSON config into NAME's package"
    )
    args = parser.parse_args(argv)
    os.umask(0o022)
    try:
        if args.check:
            return check(args.out.resolve(), args.config)
        return build(args.out.resolve(), args.cache.resolve(), set(args.only) if args.only else None, args.config)
    except BuildError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build.py: interrupted; the previous manifest is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
