"""A small federation run once per session: the chain the round, chain and demo tests read."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest

from zkpot_ref.kzg import SRS
from zkpot_ref.round import RoundConfig, run_rounds

CONFIG = RoundConfig(clients=3, rounds=2, byzantine=1, attack="free-rider", hidden=(2,),
                     test_size=2, epochs=3, workers=2)


@functools.cache
def known_tau_srs() -> SRS:
    return SRS.insecure_from_tau(0xFEED, 4096 + 8)  # tests only: tau is known


@pytest.fixture(scope="session")
def fast_srs() -> SRS:
    """The known-tau SRS the round tests pass as ``RoundConfig.srs`` instead of the (slower)
    one-party ceremony (that path has its own tests in tests/pot/test_keys.py and the demo
    test)."""
    return known_tau_srs()


@pytest.fixture(scope="session")
def chain_run(tmp_path_factory: pytest.TempPathFactory, fast_srs):  # noqa: ANN001
    """(chain directory, reports) of CONFIG with proof gating on."""
    root = tmp_path_factory.mktemp("federation")
    cache = root / "cache"
    from dataclasses import replace

    reports = run_rounds(replace(CONFIG, cache=str(cache), srs=fast_srs), root / "chain")
    return root / "chain", reports


@pytest.fixture
def chain_copy(chain_run, tmp_path: Path) -> Path:  # noqa: ANN001
    """A fresh copy of the chain directory a test may damage."""
    return Path(shutil.copytree(chain_run[0], tmp_path / "chain"))
