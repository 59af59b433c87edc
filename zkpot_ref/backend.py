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

**Two cores** (:class:`TwoProcessBackend`, name ``"processes"``): the same reference
kernels, each big one cut in two halves that run side by side, one in a forked child
process. Pippenger's MSM is a sum over windows, sum_j 2^(cj) W_j, so the low windows and
the high windows can be summed apart; an NTT of size N is one Cooley–Tukey step away from
two NTTs of size N/2 (the even and the odd coefficients, ``split_ntt``). Same outputs bit
for bit; only the wall clock changes (``benchmarks/zkpot.py`` measures both). A forked
child inherits the points and values it needs (nothing is copied up front) and sends
back one point or one list.

Read next: ``plonk/circuit.py``.
"""

from __future__ import annotations

import os
import pickle
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any, ClassVar

from zkpot_ref import kzg
from zkpot_ref.curve import G1, msm
from zkpot_ref.curve.g1 import g1_add, g1_double
from zkpot_ref.curve.msm import window_bits
from zkpot_ref.curve.msm_batch_affine import affine_terms, msm_windows, windows_for
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


def in_two_processes(here: Callable[[], Any], there: Callable[[], Any]) -> tuple[Any, Any]:
    """(here(), there()), with ``there`` computed at the same time in a forked child.

    The child inherits the parent's memory, so ``there`` needs no arguments shipped; its
    result comes back pickled through a pipe (a trusted channel: our own child). Where
    ``os.fork`` does not exist, or the child fails, ``there()`` runs here instead: the
    result is the same, only slower.
    """
    if not hasattr(os, "fork"):
        return here(), there()
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # JAX (FL training) warns at every fork that its threads could deadlock a child
        # that calls into JAX; this child runs only the pure-Python kernels, then leaves.
        warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called")
        pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's cleanups
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(pickle.dumps(there(), pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    reader = os.fdopen(read_end, "rb")
    try:
        mine = here()
        data = reader.read()
    finally:
        reader.close()  # first: a child still writing then stops (broken pipe) ...
        _, status = os.waitpid(pid, 0)  # ... so this wait cannot hang
    theirs = pickle.loads(data) if status == 0 and data else there()
    return mine, theirs


def split_ntt(values: Sequence[int], omega: int,
              halves: Callable[[Callable[[], Any], Callable[[], Any]], tuple[Any, Any]]
              ) -> list[int]:
    """The NTT of size N from two NTTs of size N/2 (one radix-2 Cooley–Tukey step).

    f(X) = E(X^2) + X O(X^2) with E, O the even and odd coefficients, so for k < N/2:
    f(omega^k) = E(w^k) + omega^k O(w^k) and f(omega^(k + N/2)) = E(w^k) - omega^k O(w^k),
    where w = omega^2 and E(w^k), O(w^k) are the two half-size NTTs. ``halves`` runs the
    two (e.g. ``in_two_processes``).
    """
    n, w = len(values), omega * omega % R
    evens, odds = halves(lambda: ntt(values[0::2], w), lambda: ntt(values[1::2], w))
    half, out, twiddle = n // 2, [0] * n, 1
    for k in range(half):
        t = odds[k] * twiddle % R
        out[k] = (evens[k] + t) % R
        out[k + half] = (evens[k] - t) % R
        twiddle = twiddle * omega % R
    return out


class TwoProcessBackend(Backend):
    """The reference kernels on two cores: big MSMs and NTTs in halves, one half forked."""

    name = "processes"
    #: below these sizes a fork costs more than the half it saves (~10 ms against ~40 ms)
    MIN_MSM = 1 << 11
    MIN_NTT = 1 << 12

    def ntt(self, values: Sequence[int], omega: int) -> list[int]:
        n = len(values)
        if n < max(2, self.MIN_NTT) or n & (n - 1):
            return ntt(values, omega)
        return split_ntt(values, omega, in_two_processes)

    def coset_ntt(self, coeffs: Sequence[int], omega: int, size: int, shift: int) -> list[int]:
        """The coset as ``pieces`` smaller cosets, half of them in each process.

        The coset shift·<omega> of ``size`` points is the union of the cosets
        s_j·<omega^pieces>, s_j = shift·omega^j, of ``small`` points each, small the largest
        power of two <= the number of coefficients. On one of them X^small is the constant
        s_j^small, so the polynomial folds to ``small`` coefficients (c_k s_j^k added into
        slot k mod small: at most two a slot) and one NTT of size ``small`` gives its
        values, which are out[j], out[j + pieces], ... For the prover's 4n coset of a
        polynomial of degree about n: four NTTs of size n, two a process, nothing to
        combine afterwards.
        """
        small = 1 << (len(coeffs).bit_length() - 1) if coeffs else 0
        if len(coeffs) > size or small < max(2, self.MIN_NTT) or size // small < 2:
            return super().coset_ntt(coeffs, omega, size, shift)
        pieces, omega_small = size // small, pow(omega, size // small, R)

        def piece(j: int) -> list[int]:
            s_j, power, folded = shift * pow(omega, j, R) % R, 1, [0] * small
            for k, c in enumerate(coeffs):
                folded[k % small] += c * power
                power = power * s_j % R
            return ntt(folded, omega_small)

        here, there = in_two_processes(lambda: [piece(j) for j in range(0, pieces, 2)],
                                       lambda: [piece(j) for j in range(1, pieces, 2)])
        out = [0] * size
        for j, values in enumerate(here):
            out[2 * j :: pieces] = values
        for j, values in enumerate(there):
            out[2 * j + 1 :: pieces] = values
        return out

    def intt(self, values: Sequence[int], omega: int) -> list[int]:
        """As ``poly.intt``: the forward transform with omega^-1, then times 1/n."""
        n_inv = inverse_mod(len(values), R)
        return [v * n_inv % R for v in self.ntt(values, inverse_mod(omega, R))]

    def msm(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        """G1: the windows in two halves, sum_j 2^(cj) W_j = low + 2^(c h) high."""
        if (len(points) < max(2, self.MIN_MSM) or len(points) != len(scalars)
                or any(type(p) is not G1 for p in points)
                or any(type(k) is not int for k in scalars)):
            return msm(points, scalars)  # small, G2 or malformed: as the reference
        c = window_bits(len(points))
        h, w = windows_for(c) // 2, windows_for(c)
        # each process prepares the terms itself: side by side, not before the fork
        low, high = in_two_processes(
            lambda: msm_windows(affine_terms(points, scalars), c, 0, h),
            lambda: msm_windows(affine_terms(points, scalars), c, h, w))
        for _ in range(c * h):
            high = g1_double(high)
        return G1(*g1_add(low, high))


_REGISTRY: dict[str, Callable[[], Backend]] = {"reference": Backend,
                                               "processes": TwoProcessBackend}
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
