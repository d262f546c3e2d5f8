"""Hypothesis profiles of the fuzz suites: ``ci`` (the default, in make test), ``campaign`` (make fuzz), ``wire``.

``PARLEY_FUZZ_PROFILE`` picks the profile; ``ci`` is derandomized, so a run in
CI is repeatable and its examples are the same on every machine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

SLOW_IS_FINE = [
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.filter_too_much,
    HealthCheck.large_base_example,
]

# No shrinking in CI: the examples are fixed (derandomized), so a failure reruns as it is.
NO_SHRINK = [Phase.explicit, Phase.generate]
settings.register_profile(
    "ci",
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    phases=NO_SHRINK,
    suppress_health_check=SLOW_IS_FINE,
)
settings.register_profile(
    "campaign", max_examples=500, deadline=None, database=None, suppress_health_check=SLOW_IS_FINE, print_blob=True
)
# Over the wire against the local runtime: a handful of examples per route.
WIRE = settings(
    max_examples=3, deadline=None, derandomize=True, database=None, phases=NO_SHRINK, suppress_health_check=SLOW_IS_FINE
)

settings.load_profile(os.environ.get("PARLEY_FUZZ_PROFILE", "ci"))
