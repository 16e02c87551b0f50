"""Shared test configuration: hypothesis profiles.

``ci`` (the default) keeps property tests quick; set ``HYPOTHESIS_PROFILE=thorough``
for a long run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
