"""Fixtures shared by the curve tests."""

from __future__ import annotations

import random

import pytest


@pytest.fixture
def rng() -> random.Random:
    """A seeded generator: every test sees the same 'random' inputs on every run."""
    return random.Random(20240503)
