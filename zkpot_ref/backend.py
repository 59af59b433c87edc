"""The prover's plug point for speed: NTT and MSM behind one small interface.

Lesson. A PLONK prover spends nearly all its time in two kernels: number-theoretic
transforms (moving polynomials between coefficient and evaluation form) and multi-scalar
multiplications (KZG commitments). The protocol code (``plonk/prover.py``) asks a
:class:`Backend` for those and never cares how they are computed, so the JAX fast path
(``fastpath/``) can slot in without touching a line of protocol code.

The rule every backend must keep: **same inputs, same outputs, bit for bit**. A backend
may be faster, never different; the fast path's differential tests check byte-identical
proofs against this reference.

Registration: ``fastpath`` calls :func:`register` when it is imported; the reference
never imports the fast path (enforced by import-linter). Choose one with :func:`use`
or pass ``backend=`` to the prover.

Read next: ``plonk/circuit.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zkpot_ref.curve import G1, msm
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS, inverse_mod
from zkpot_ref.poly import intt, ntt

R = R_MODULUS


class Backend:
    """The reference backend: pure Python ``poly.ntt`` and ``curve.msm``.

    Subclasses override ``ntt``, ``intt`` and ``msm``; the coset transforms are derived
    from ``ntt``/``intt`` here, so a backend only has to provide the three kernels.
    """

    name = "reference"

    def ntt(self, values: Sequence[int], omega: int) -> list[int]:
        """Evaluations at omega^i of the polynomial with coefficients ``values``."""
        return ntt(values, omega)

    def intt(self, values: Sequence[int], omega: int) -> list[int]:
        """Coefficients of the polynomial with evaluations ``values`` at omega^i."""
        return intt(values, omega)

    def msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        """sum_i scalars[i] * points[i]."""
        return msm(points, scalars)

    # -- derived --------------------------------------------------------------------
    def coset_ntt(self, coeffs: Sequence[int], omega: int, size: int, shift: int) -> list[int]:
        """Evaluations on shift·<omega> (size points) of a polynomial with <= size coeffs."""
        if len(coeffs) > size:
            raise MalformedInput(f"{len(coeffs)} coefficients do not fit {size} points")
        scaled, power = [0] * size, 1
        for j, c in enumerate(coeffs):
            scaled[j] = c * power % R
            power = power * shift % R
        return self.ntt(scaled, omega)

    def coset_intt(self, evals: Sequence[int], omega: int, shift: int) -> list[int]:
        """Inverse of ``coset_ntt``."""
        coeffs = self.intt(evals, omega)
        inv, power = inverse_mod(shift, R), 1
        for j in range(len(coeffs)):
            coeffs[j] = coeffs[j] * power % R
            power = power * inv % R
        return coeffs

    def commit(self, powers: Sequence[G1], coeffs: Sequence[int]) -> G1:
        """KZG commitment [f(tau)]_1 = sum_j f_j [tau^j]_1 (KZG 2010, §3.2)."""
        if len(coeffs) > len(powers):
            raise MalformedInput(
                f"polynomial of degree {len(coeffs) - 1} exceeds the SRS ({len(powers)} powers)"
            )
        return self.msm(powers[: len(coeffs)], coeffs)


_REGISTRY: dict[str, Callable[[], Backend]] = {"reference": Backend}
_current: Backend = Backend()


def register(name: str, factory: Callable[[], Backend]) -> None:
    """Make a backend available under ``name`` (the fast path calls this on import)."""
    _REGISTRY[name] = factory


def available() -> list[str]:
    """Names of the registered backends."""
    return sorted(_REGISTRY)


def use(name: str) -> Backend:
    """Select the backend used when a prover is not given one explicitly."""
    global _current
    if name not in _REGISTRY:
        raise MalformedInput(
            f"unknown backend {name!r}; available: {', '.join(available())}"
            " (import fastpath first to register 'jax')"
        )
    _current = _REGISTRY[name]()
    return _current


def current() -> Backend:
    """The backend in use."""
    return _current
