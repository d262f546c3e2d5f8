"""Every reject_* fixture is refused by a validation, and nothing else fails."""

from __future__ import annotations

import pytest

from tests.plan.harness import PlanSession, all_cases

REJECTED = [c for c in all_cases() if c.rejected]


def test_rejections_have_no_unattributed_errors(plans: PlanSession) -> None:
    assert plans.unattributed_errors == []


@pytest.mark.parametrize("case", REJECTED, ids=[c.label for c in REJECTED])
def test_rejections_refuse_each_bad_case(plans: PlanSession, case) -> None:  # type: ignore[no-untyped-def]
    assert plans.rejection(case.module, case.name), f"{case.label} was not rejected"
