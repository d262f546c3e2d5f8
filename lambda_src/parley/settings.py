"""Settings read once from the environment into frozen, typed objects.

Each deployed function declares the settings class it needs; a missing or
malformed variable fails loudly at the first use, naming every variable at fault.
``env_names()`` lets a contract test compare what a handler reads with what
Terraform sets on that function.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar

T = TypeVar("T")


class SettingsError(RuntimeError):
    """The function's environment is incomplete or malformed (a deployment bug)."""


def env(
    name: str,
    *,
    default: Any = dataclasses.MISSING,
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
    parse: Callable[[str], Any] = str,
) -> Any:
    """Declare a settings field read from environment variable ``name`` (optional when it has a default)."""
    return dataclasses.field(default=default, default_factory=default_factory, metadata={"env": name, "parse": parse})


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"must be >= 1, got {number}")
    return number


def parse_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def parse_secret_ids(value: str) -> dict[str, str]:
    """APP_SECRETS: a JSON object of app secret name -> Secrets Manager secret id."""
    ids = json.loads(value)
    if not isinstance(ids, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ids.items()):
        raise ValueError("APP_SECRETS must be a JSON object of name -> secret id")
    return ids


def settings_class(cls: type[T]) -> type[T]:
    """Decorate a BaseSettings subclass: frozen, keyword-only fields."""
    return dataclasses.dataclass(frozen=True, kw_only=True)(cls)


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


@dataclasses.dataclass(frozen=True, kw_only=True)
class BaseSettings:
    """Settings every function has."""

    table_name: str = env("TABLE_NAME")
    app_stage: str = env("APP_STAGE", default="local")
    log_level: str = env("LOG_LEVEL", default="INFO")
    # Set by Terraform only on the functions an app secret names as readers.
    app_secrets: Mapping[str, str] = env("APP_SECRETS", default_factory=dict, parse=parse_secret_ids)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        for field in dataclasses.fields(cls):
            name = field.metadata["env"]
            if name not in source:
                if _required(field):
                    problems.append(f"{name} is not set")
                continue
            try:
                values[field.name] = field.metadata["parse"](source[name])
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
        if problems:
            raise SettingsError(f"{cls.__name__}: " + "; ".join(problems))
        return cls(**values)

    @classmethod
    def env_names(cls) -> dict[str, bool]:
        """Environment variable -> required, for contract tests."""
        return {f.metadata["env"]: _required(f) for f in dataclasses.fields(cls)}


S = TypeVar("S", bound=BaseSettings)


@functools.cache
def load(cls: type[S]) -> S:
    """The settings of ``cls``, read once per container (tests clear the cache)."""
    return cls.from_env()
