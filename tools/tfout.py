"""What terraform prints, made readable: its errors with a fix, and a progress count.

- ``no_color`` adds ``-no-color`` to a command whose output is captured or
  does not go to a terminal.
- ``failure`` turns terraform's stderr into one line per ``Error:``
  diagnostic (summary and detail) and, for the failures people meet first,
  one more line saying what to do (``hint``).
- ``Progress`` counts the resources an apply or destroy has finished against
  the planned count and prints one line for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TextIO

# The subcommands that accept -no-color (force-unlock, for one, does not).
_COLOUR_COMMANDS = {"init", "plan", "apply", "destroy", "output", "validate", "show", "refresh", "import"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_DIAGNOSTIC = re.compile(r"^(Error|Warning): (.*)$")
# Where terraform points at the configuration: "with provider[...]," / "on main.tf line 9, ..." / "   9: provider",
# and the values of the expression there ("├────" then "│ var.x is ...").
_SOURCE_CONTEXT = re.compile(r"^(with .*,|on .* line \d+.*:|\d+: .*|\(and \d+ more similar\)|[├│].*)$")
_PLAN = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\.")
_DONE = re.compile(r": (Creation|Modifications|Destruction) complete after ")

CREDENTIALS_FIX = "set AWS_PROFILE (after 'aws sso login') or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use ENV=local"


def no_color(args: Sequence[str], terminal: bool) -> list[str]:
    """``args`` with ``-no-color`` after the subcommand unless the output goes to a terminal."""
    if terminal or not args or args[0] not in _COLOUR_COMMANDS:
        return list(args)
    return [args[0], "-no-color", *args[1:]]


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "Error" or "Warning"
    summary: str
    detail: str  # the first paragraph of the detail, on one line, without the source context

    def __str__(self) -> str:
        return f"{self.summary}: {self.detail}" if self.detail else self.summary


def diagnostics(text: str) -> list[Diagnostic]:
    """The diagnostics in terraform's output, boxed and coloured or not."""
    found: list[Diagnostic] = []
    current: tuple[str, str, list[str]] | None = None

    def close() -> None:
        if current is not None:
            severity, summary, body = current
            paragraphs = "\n".join(line for line in body if not _SOURCE_CONTEXT.match(line)).strip().split("\n\n")
            found.append(Diagnostic(severity, summary, " ".join(paragraphs[0].split())))

    in_summary = False  # a long summary wraps onto the lines before the first blank one
    for raw in _ANSI.sub("", text).splitlines():
        line = raw.removeprefix("│").strip()
        match = _DIAGNOSTIC.match(line)
        if match:
            close()
            current, in_summary = (match.group(1), match.group(2).strip(), []), True
        elif raw.startswith(("╵", "╷")):
            close()
            current = None
        elif current is not None and in_summary and line:
            current = (current[0], f"{current[1]} {line}", current[2])
        elif current is not None:
            in_summary = False
            current[2].append(line)
    close()
    return found


def errors(text: str) -> list[Diagnostic]:
    """The ``Error:`` diagnostics, each once."""
    return list(dict.fromkeys(d for d in diagnostics(text) if d.severity == "Error"))


def error_text(stderr: str, separator: str = "; ") -> str:
    """The errors of ``stderr`` joined by ``separator``; its last line when it has none."""
    found = errors(stderr)
    if found:
        return separator.join(str(error) for error in found)
    lines = [line.strip() for line in _ANSI.sub("", stderr).splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


def _lock_info(text: str) -> dict[str, str]:
    info: dict[str, str] = {}
    for line in _ANSI.sub("", text).splitlines():
        key, sep, value = line.removeprefix("│").strip().partition(":")
        if sep and key in {"ID", "Who", "Created", "Operation", "Path"}:
            info.setdefault(key, value.strip())
    return info


def hint(text: str, *, emulator: str | None = None, env: str | None = None, mirror: str | None = None) -> str | None:
    """One line saying how to fix a failure people commonly meet, or None.

    ``emulator`` is the endpoint a local run targets, ``env`` the environment
    (for the unlock command), ``mirror`` the TF_PROVIDER_MIRROR in use.
    """
    plain = " ".join(_ANSI.sub("", text).replace("│", " ").split())
    if "Failed to query available provider packages" in plain or "Failed to install provider" in plain:
        if mirror:
            return (
                f"the provider is missing from TF_PROVIDER_MIRROR={mirror}: point it at a mirror holding "
                "registry.terraform.io/hashicorp/aws at the version in the .terraform.lock.hcl files, "
                "or unset it to download from the registry"
            )
        return (
            "terraform cannot download the hashicorp/aws provider: set TF_PROVIDER_MIRROR to a provider mirror "
            "(a folder holding registry.terraform.io) or allow access to registry.terraform.io; 'make doctor' checks it"
        )
    if "Error acquiring the state lock" in plain:
        info = _lock_info(text)
        holder = f"{info.get('Who', 'another run')} since {info.get('Created', 'an unknown time')}"
        operation = info.get("Operation", "").removeprefix("OperationType").lower()
        held = f"the state is locked by {holder}" + (f" ({operation})" if operation else "")
        if env and info.get("ID"):
            return (
                f"{held}: wait for that run to finish; if none is running any more, "
                f"'make unlock ENV={env} LOCK_ID={info['ID']}' releases the lock"
            )
        return f"{held}: wait for that run to finish"
    if (
        "No valid credential sources found" in plain
        or "failed to get shared config profile" in plain
        or "NoCredentialProviders" in plain
        or "failed to refresh cached credentials" in plain
    ):
        profile = re.search(r"failed to get shared config profile, (\S+)", plain)
        missing = f"AWS_PROFILE={profile.group(1)} is not in ~/.aws/config" if profile else "no AWS credentials found"
        return f"{missing}{f' for ENV={env}' if env else ''}: {CREDENTIALS_FIX}"
    if emulator:
        port = emulator.rsplit(":", 1)[-1]
        if f"{emulator.removeprefix('http://')}: connect: connection refused" in plain:
            return (
                f"nothing answers at {emulator}: the emulator has stopped; run 'make up' again ('make doctor' checks)"
            )
        if "error while deserializing" in plain or re.search(r"StatusCode: (404|405|501)\b", plain):
            return (
                f"another program answers on port {port}, not the emulator: stop it, "
                f"or set PARLEY_EMULATOR_PORT to a free port ('make doctor' lists the ports)"
            )
    return None


def failure(
    what: str,
    stderr: str,
    *,
    emulator: str | None = None,
    env: str | None = None,
    mirror: str | None = None,
    log: str | None = None,
) -> str:
    """The message for a failed terraform run: its errors, then the fix when it is a known failure."""
    message = f"{what} failed: {error_text(stderr, separator=chr(10) + '  ')}"
    if log:
        message += f"\n  full log: {log}"
    fix = hint(stderr, emulator=emulator, env=env, mirror=mirror)
    return message + (f"\n  fix: {fix}" if fix else "")


def planned(text: str) -> int | None:
    """The number of resource changes in terraform's "Plan:" line (0 for "No changes."), or None."""
    match = _PLAN.search(text)
    if match:
        return sum(int(n) for n in match.groups())
    return 0 if "No changes." in text else None


class Progress:
    """A one-line count of the resources done against the planned count.

    On a terminal the line is rewritten in place (``\\r``); otherwise a plain
    line is printed at most every ``every_seconds`` and once at the end, so a
    CI log stays short.
    """

    def __init__(
        self,
        label: str,
        total: int | None,
        out: TextIO,
        *,
        terminal: bool,
        every_seconds: float = 15,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.out, self.terminal = label, total, out, terminal
        self.every_seconds, self.clock = every_seconds, clock
        self.done = 0
        self.last_printed = clock()

    def text(self) -> str:
        total = self.total if self.total is not None and self.total >= self.done else "?"
        return f"parley: {self.label} {self.done}/{total} resources"

    def feed(self, line: str) -> None:
        """Read one line of terraform's output."""
        if self.total is None:
            self.total = planned(line)
        if not _DONE.search(line):
            return
        self.done += 1
        if self.terminal:
            self.out.write(f"\r{self.text()}")
            self.out.flush()
        elif self.clock() - self.last_printed >= self.every_seconds:
            self.out.write(f"{self.text()}\n")
            self.out.flush()
            self.last_printed = self.clock()

    def finish(self) -> None:
        """End the count on its own line."""
        if self.done:
            self.out.write(f"\r{self.text()}\n" if self.terminal else f"{self.text()}\n")
            self.out.flush()
