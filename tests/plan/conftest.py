"""One plan session for the whole plan tier, built once on one xdist worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.plan.harness import PlanSession, run_all


# tryfirst: xdist reads the group marks in its own hook, which must see them.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent.name == "plan":
            item.add_marker(pytest.mark.plan)
            item.add_marker(pytest.mark.xdist_group("plan"))


@pytest.fixture(scope="session")
def plans(tmp_path_factory: pytest.TempPathFactory) -> PlanSession:
    return run_all(tmp_path_factory.mktemp("plans"))
