"""Shared test set-up: hypothesis profiles and access to ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# "ci": derandomised and without deadlines (the CI machine is shared and noisy).
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=50)
# "deep": a long search for failures, run by hand now and then (HYPOTHESIS_PROFILE=deep).
settings.register_profile(
    "deep", deadline=None, max_examples=3000, suppress_health_check=[HealthCheck.too_slow]
)
# CI sets CI=true; HYPOTHESIS_PROFILE overrides either way.
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when it is absent, except in CI."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("PROTOCAT_REQUIRE_SHARED") == "1":
            raise FileNotFoundError(f"PROTOCAT_REQUIRE_SHARED=1 but {path} is missing")
        pytest.skip(f"{path} is absent (the shared folder sits beside the project)")
    return path


SEED_FILE = ("seeds", "000_057fc58b5fe71c16.txt")


@pytest.fixture
def seed_file() -> Path:
    return shared_path(*SEED_FILE)
