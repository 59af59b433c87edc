"""The JAX fast path: the prover's kernels on limb arrays, behind ``zkpot_ref/backend.py``.

Importing this package registers the backend ``"jax"`` (``backend.use("jax")``, or
``prove(..., backend=JaxBackend())``). The rule it keeps is the reference's: same inputs,
same outputs, bit for bit — the differential tests in ``tests/fastpath`` compare every
kernel and whole proofs byte for byte.

Modules, in reading order: ``field.py`` (254-bit fields as 32-bit limb arrays),
``ntt.py`` (constant-geometry NTT), ``msm.py`` (G1 multi-scalar multiplication),
``prover.py`` (the prover's rounds 2 and 3 as whole-column operations and scans),
``witness.py`` (the ZKPoT inference's witness for the whole test set at once, registered
as the backends' kernel for ``statement.inference_trace``).

Two backends: ``"jax"`` runs in JAX what is faster there *on a CPU* (the transforms, the
witness) and keeps the reference's MSM and round kernels, which beat their vector twins
on these CPUs (measured, docs/fastpath.md); ``"jax-all"`` runs every kernel in JAX — the
one to try on an accelerator.
Compiled programs are kept in JAX's persistent cache (``ZKPOT_JAX_CACHE``, default
``~/.cache/zkpot/jax``), so a new process does not pay the compile time again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import jax

from fastpath import msm as _msm
from fastpath import ntt as _ntt
from fastpath import prover as _prover
from fastpath import witness as _witness
from zkpot_ref import backend as _backend
from zkpot_ref.curve import G1
from zkpot_ref.plonk import lookup as _lookup
from zkpot_ref.plonk import permutation as _permutation
from zkpot_ref.plonk import quotient as _quotient
from zkpot_ref.pot import statement as _statement

__all__ = ["JaxAllBackend", "JaxBackend"]


def _enable_compilation_cache() -> None:
    """Persist compiled programs across processes (only if the user set no cache dir)."""
    if jax.config.jax_compilation_cache_dir:
        return
    path = Path(os.environ.get("ZKPOT_JAX_CACHE", Path.home() / ".cache" / "zkpot" / "jax"))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    jax.config.update("jax_compilation_cache_dir", str(path))


class JaxBackend(_backend.Backend):
    """NTT, INTT, the coset transforms and the ZKPoT inference witness in JAX; same
    outputs as the reference."""

    name = "jax"
    kernels = {_backend.kernel_name(_statement.inference_trace): _witness.inference_trace}

    def ntt(self, values: Sequence[int], omega: int) -> list[int]:
        return _ntt.ntt(values, omega)

    def intt(self, values: Sequence[int], omega: int) -> list[int]:
        return _ntt.intt(values, omega)

    def coset_ntt(self, coeffs: Sequence[int], omega: int, size: int, shift: int) -> list[int]:
        return _ntt.coset_ntt(coeffs, omega, size, shift)

    def coset_intt(self, evals: Sequence[int], omega: int, shift: int) -> list[int]:
        return _ntt.coset_intt(evals, omega, shift)

    def msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        """The reference MSM: on a CPU it beats ``fastpath.msm`` (docs/fastpath.md)."""
        return super().msm(points, scalars)


class JaxAllBackend(JaxBackend):
    """Every kernel in JAX: ``JaxBackend`` plus the vector MSM (``fastpath.msm``) and the
    prover's round-2 grand products and round-3 quotient (``fastpath.prover``). On a CPU
    these lose to the reference (docs/fastpath.md); they are meant for accelerators."""

    name = "jax-all"
    kernels = {
        **JaxBackend.kernels,
        _backend.kernel_name(_permutation.accumulator): _prover.accumulator,
        _backend.kernel_name(_lookup.running_sum): _prover.running_sum,
        _backend.kernel_name(_quotient.quotient_on_coset): _prover.quotient_on_coset,
    }

    def msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        return _msm.msm(points, scalars)


_enable_compilation_cache()
_backend.register("jax", JaxBackend)
_backend.register("jax-all", JaxAllBackend)
