"""The prover's plug point for speed: NTT and MSM behind one small interface.

Lesson. A PLONK prover spends nearly all its time in two kernels: number-theoretic
transforms (moving polynomials between coefficient and evaluation form) and multi-scalar
multiplications (KZG commitments). The protocol code (``plonk/prover.py``) asks a
:class:`Backend` for those and never cares how they are computed, so the JAX fast path
(``fastpath/``) can slot in without touching a line of protocol code.

Commitments and openings are the KZG lesson's own ``kzg.commit`` / ``kzg.open_batch``,
called with the backend's MSM: one definition, one error type (``SetupError`` when a
polynomial outgrows the SRS).

The rest of the prover's work is elementwise arithmetic over whole columns (the round-3
quotient, the grand products, Horner evaluations). Those are written once, readably, as
plain functions in the protocol modules; the prover calls them through
:meth:`Backend.kernel`, which returns the function itself — or, in a backend that
registered a faster version under that function's name, the faster version.

The rule every backend must keep: **same inputs, same outputs, bit for bit**. A backend
may be faster, never different; the fast path's differential tests check byte-identical
proofs against this reference.

Registration: ``fastpath`` calls :func:`register` when it is imported; the reference
never imports the fast path (enforced by import-linter). A name not yet registered is
looked up among the installed plugins (entry point group ``zkpot.backends``), so
``use("jax")`` works without importing ``fastpath`` by hand. Choose one with :func:`use`,
with the ``ZKPOT_BACKEND`` environment variable (read when the first prover starts and
by the ``--backend`` options' defaults), or pass ``backend=`` to the prover.

Read next: ``plonk/circuit.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any, ClassVar

from zkpot_ref import kzg
from zkpot_ref.curve import G1, msm
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS, inverse_mod
from zkpot_ref.kzg import SRS
from zkpot_ref.poly import intt, ntt

R = R_MODULUS


class Backend:
    """The reference backend: pure Python ``poly.ntt`` and ``curve.msm``.

    Subclasses override ``ntt``, ``intt`` and ``msm``; the coset transforms are derived
    from ``ntt``/``intt`` here, so a backend only has to provide the three kernels.
    Faster versions of elementwise reference functions go in ``kernels``, keyed by
    ``kernel_name(reference_function)``.
    """

    name = "reference"
    kernels: ClassVar[dict[str, Callable[..., Any]]] = {}

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

    def commit(self, srs: SRS, coeffs: Sequence[int]) -> G1:
        """KZG commitment [f(tau)]_1 = sum_j f_j [tau^j]_1 (``kzg.commit``, this MSM)."""
        return kzg.commit(srs, coeffs, msm=self.msm)

    def open_batch(self, srs: SRS, polys: Sequence[Sequence[int]], z: int,
                   v: int) -> tuple[list[int], G1]:
        """Values at z and one KZG proof for sum v^i f_i (``kzg.open_batch``, this MSM)."""
        return kzg.open_batch(srs, polys, z, v, msm=self.msm)

    def kernel(self, reference: Callable[..., Any]) -> Callable[..., Any]:
        """This backend's version of the reference function ``reference`` (itself if none)."""
        return self.kernels.get(kernel_name(reference), reference)


def kernel_name(function: Callable[..., Any]) -> str:
    """The key a backend files a faster ``function`` under: "module.qualname"."""
    return f"{function.__module__}.{function.__qualname__}"


_REGISTRY: dict[str, Callable[[], Backend]] = {"reference": Backend}
_current: Backend | None = None
#: the environment variable naming the default backend
ENV = "ZKPOT_BACKEND"
#: the entry point group where installed backends announce themselves
PLUGINS = "zkpot.backends"


def default_name() -> str:
    """The backend named by ``$ZKPOT_BACKEND``, else "reference"."""
    return os.environ.get(ENV) or "reference"


def register(name: str, factory: Callable[[], Backend]) -> None:
    """Make a backend available under ``name`` (the fast path calls this on import)."""
    _REGISTRY[name] = factory


def available() -> list[str]:
    """Names of the registered backends and of the installed plugins (``zkpot.backends``)."""
    return sorted(set(_REGISTRY) | {plugin.name for plugin in entry_points(group=PLUGINS)})


def use(name: str) -> Backend:
    """Select the backend used when a prover is not given one explicitly."""
    global _current
    if name not in _REGISTRY:
        for plugin in entry_points(group=PLUGINS, name=name):
            _REGISTRY.setdefault(name, plugin.load())  # e.g. "jax = fastpath:JaxBackend"
    if name not in _REGISTRY:
        raise MalformedInput(
            f"unknown backend {name!r}; available: {', '.join(available())}")
    _current = _REGISTRY[name]()
    return _current


def current() -> Backend:
    """The backend in use (``$ZKPOT_BACKEND`` or the reference until ``use`` is called)."""
    return _current if _current is not None else use(default_name())
