"""Static tier: the terraform checks share one xdist worker (their inits share the plugin cache)."""

from __future__ import annotations

from pathlib import Path

import pytest


# tryfirst: xdist reads the group marks in its own hook, which must see them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).name == "test_terraform_validate.py":
            item.add_marker(pytest.mark.xdist_group("validate"))
