"""Polynomials over Fr, evaluation domains and the number-theoretic transform (NTT).

Lesson. PLONK turns a circuit into polynomials and checks identities between them. A
polynomial has two faces:

- **coefficient form** ``f(X) = c_0 + c_1 X + ... + c_{n-1} X^{n-1}`` — good for
  evaluating anywhere, for dividing by ``(X - z)`` and for committing (KZG);
- **evaluation (Lagrange) form** ``(f(1), f(omega), ..., f(omega^{n-1}))`` over a
  *domain* H = {omega^i} of size n = 2^k — good for multiplying (pointwise!) and for
  writing a circuit's columns.

The NTT moves between them in O(n log n): it is the FFT with complex roots of unity
replaced by omega, a primitive n-th root of unity in Fr. We choose
omega = 5^((r-1)/n), exactly the root sympy's ``ntt`` uses, so results compare directly.

Also here: the vanishing polynomial Z_H(X) = X^n - 1 (zero on all of H), the Lagrange
basis L_i(X) (1 at omega^i, 0 elsewhere on H), barycentric evaluation of a polynomial
given only its evaluations, a *coset* NTT (evaluate on g*H, where Z_H is never zero, so
we can divide by it pointwise — how PLONK computes its quotient), and division by (X - z)
(how KZG opens a commitment).

Representation: coefficients and evaluations are plain ``int`` lists mod r (the hot
loops), wrapped in the small classes ``Polynomial`` and ``Evaluations`` for reading.
References: Cooley–Tukey (1965) for the radix-2 butterfly; PLONK (eprint 2019/953, §4)
for L_i and Z_H; Berrut–Trefethen (2004) for barycentric interpolation.

Read next: ``transcript.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import R_MODULUS, Fr, batch_inverse_ints, inverse_mod

R = R_MODULUS
#: The coset shift for "evaluate off the domain": Fr's multiplicative generator, which
#: is in no proper subgroup, so g*H never meets H.
COSET_SHIFT = Fr.GENERATOR


# --------------------------------------------------------------------------------------
# The NTT itself (plain ints)
# --------------------------------------------------------------------------------------


# --8<-- [start:ntt]
def _bit_reverse_permute(values: list[int]) -> None:
    """Reorder in place so index i moves to bit-reverse(i): the butterflies' input order."""
    n = len(values)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            values[i], values[j] = values[j], values[i]


def ntt(values: Sequence[int], omega: int) -> list[int]:
    """Evaluate the polynomial with coefficients ``values`` at 1, omega, ..., omega^{n-1}.

    Readable form: ``out[i] = sum_j values[j] * omega^(i*j) mod r``. Iterative radix-2
    Cooley–Tukey: after the bit-reversal permutation, stage s combines pairs of length-m
    transforms (m = 2^(s-1)) with the butterfly (u + w*v, u - w*v), w = omega^(n/2m)^j.
    ``len(values)`` must be a power of two and omega a primitive n-th root of unity.
    Natural order in and out.
    """
    a = [v % R for v in values]
    n = len(a)
    if n & (n - 1):
        raise MalformedInput(f"NTT size must be a power of two, got {n}")
    _bit_reverse_permute(a)
    # BEGIN TASK 1.3: the radix-2 NTT butterflies
    m = 1
    while m < n:
        w_m = pow(omega, n // (2 * m), R)
        twiddles = [1] * m
        for j in range(1, m):
            twiddles[j] = twiddles[j - 1] * w_m % R
        for start in range(0, n, 2 * m):
            for j in range(m):
                u = a[start + j]
                v = a[start + j + m] * twiddles[j] % R
                a[start + j] = (u + v) % R
                a[start + j + m] = (u - v) % R
        m *= 2
    # END TASK 1.3
    return a

# --8<-- [end:ntt]

def intt(values: Sequence[int], omega: int) -> list[int]:
    """Inverse NTT: interpolate evaluations on {omega^i} back to coefficients.

    The inverse transform is the forward one with omega^-1, scaled by 1/n.
    """
    n = len(values)
    out = ntt(values, inverse_mod(omega, R))
    n_inv = inverse_mod(n, R)
    return [v * n_inv % R for v in out]


# --------------------------------------------------------------------------------------
# Evaluation domains
# --------------------------------------------------------------------------------------


class Domain:
    """The multiplicative subgroup H = {1, omega, ..., omega^{n-1}} of Fr, n = 2^k."""

    def __init__(self, size: int) -> None:
        if size < 1 or size & (size - 1):
            raise MalformedInput(f"domain size must be a power of two, got {size}")
        self.size = size
        self.log_size = size.bit_length() - 1
        if self.log_size > Fr.TWO_ADICITY:
            raise MalformedInput(f"Fr has no domain of size 2^{self.log_size} (max 2^28)")
        self.omega = int(Fr.root_of_unity(self.log_size))
        self.omega_inv = inverse_mod(self.omega, R)
        self.size_inv = inverse_mod(size, R)

    def __repr__(self) -> str:
        return f"Domain(2^{self.log_size})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Domain) and other.size == self.size

    def __hash__(self) -> int:
        return hash(self.size)

    def element(self, i: int) -> int:
        """omega^i."""
        return pow(self.omega, i, R)

    def elements(self) -> list[int]:
        """[1, omega, ..., omega^{n-1}]."""
        out = [1] * self.size
        for i in range(1, self.size):
            out[i] = out[i - 1] * self.omega % R
        return out

    # -- transforms -----------------------------------------------------------------
    def ntt(self, coeffs: Sequence[int]) -> list[int]:
        """Coefficients (at most n of them, zero-padded) -> evaluations on H."""
        return ntt(self._pad(coeffs), self.omega)

    def intt(self, evals: Sequence[int]) -> list[int]:
        """Evaluations on H -> the n coefficients of the unique polynomial of degree < n."""
        if len(evals) != self.size:
            raise MalformedInput(f"expected {self.size} evaluations, got {len(evals)}")
        return intt(evals, self.omega)

    def coset_ntt(self, coeffs: Sequence[int], shift: int = COSET_SHIFT) -> list[int]:
        """Evaluate on the coset shift*H: f(shift * omega^i) = NTT of (c_j * shift^j)."""
        scaled = _scale_powers(self._pad(coeffs), shift)
        return ntt(scaled, self.omega)

    def coset_intt(self, evals: Sequence[int], shift: int = COSET_SHIFT) -> list[int]:
        """Inverse of ``coset_ntt``: interpolate, then undo the shift^j scaling."""
        return _scale_powers(self.intt(evals), inverse_mod(shift, R))

    def _pad(self, coeffs: Sequence[int]) -> list[int]:
        if len(coeffs) > self.size:
            raise MalformedInput(
                f"{len(coeffs)} coefficients do not fit a domain of size {self.size}"
            )
        return [c % R for c in coeffs] + [0] * (self.size - len(coeffs))

    # -- Z_H and the Lagrange basis at arbitrary points -----------------------------
    def vanishing_at(self, x: int) -> int:
        """Z_H(x) = x^n - 1, zero exactly on H."""
        return (pow(x, self.size, R) - 1) % R

    def lagrange_at(self, i: int, x: int) -> int:
        """L_i(x) = omega^i * (x^n - 1) / (n * (x - omega^i)), the i-th Lagrange basis.

        (PLONK, eprint 2019/953, §4 uses L_1 with 1-based indexing; here i is 0-based.)
        At x = omega^j the formula is 0/0; the limit is [i == j].
        """
        w_i = self.element(i)
        x %= R
        if x == w_i:
            return 1
        z = self.vanishing_at(x)
        return w_i * z % R * self.size_inv % R * inverse_mod(x - w_i, R) % R

    def lagrange_all_at(self, x: int, count: int | None = None) -> list[int]:
        """[L_0(x), ..., L_{count-1}(x)] with one batch inversion."""
        count = self.size if count is None else count
        x %= R
        points = self.elements()[:count]
        if x in points:
            return [int(x == w) for w in points]
        z_over_n = self.vanishing_at(x) * self.size_inv % R
        inverses = batch_inverse_ints([x - w for w in points], R)
        return [w * z_over_n % R * inv % R for w, inv in zip(points, inverses, strict=True)]

    def barycentric_eval(self, evals: Sequence[int], x: int) -> int:
        """f(x) from f's evaluations on H, without interpolating: sum_i f(omega^i) L_i(x)."""
        if len(evals) != self.size:
            raise MalformedInput(f"expected {self.size} evaluations, got {len(evals)}")
        basis = self.lagrange_all_at(x)
        return sum(f * l for f, l in zip(evals, basis, strict=True)) % R

    def divide_by_vanishing_on_coset(
        self, coset_evals: Sequence[int], extended: Domain, shift: int = COSET_SHIFT
    ) -> list[int]:
        """Pointwise N(x) / Z_H(x) for evaluations of N on the coset shift * H', |H'| = m*n.

        On that coset Z_H(shift * w'^i) = shift^n * w'^(i*n) - 1 takes only m distinct
        values (w'^n is an m-th root of unity), none of them zero — so we invert m values
        and divide every evaluation. This is how PLONK's prover computes t = N / Z_H
        (round 3) without a polynomial long division.
        """
        if extended.size % self.size or len(coset_evals) != extended.size:
            raise MalformedInput("coset evaluations must cover a multiple of the domain")
        z_inverses = self.vanishing_inverses_on_coset(extended, shift)
        ratio = len(z_inverses)
        return [e * z_inverses[i % ratio] % R for i, e in enumerate(coset_evals)]

    def vanishing_inverses_on_coset(self, extended: Domain, shift: int = COSET_SHIFT
                                    ) -> list[int]:
        """1 / Z_H(shift * w'^j) for j < m = |H'| / n: point i of the coset takes value i mod m."""
        ratio = extended.size // self.size
        shift_n = pow(shift, self.size, R)
        step = pow(extended.omega, self.size, R)
        z_values = [(shift_n * pow(step, j, R) - 1) % R for j in range(ratio)]
        return batch_inverse_ints(z_values, R)


def _scale_powers(values: list[int], shift: int) -> list[int]:
    """[v_j * shift^j]."""
    out = [0] * len(values)
    power = 1
    for j, v in enumerate(values):
        out[j] = v * power % R
        power = power * shift % R
    return out


# --------------------------------------------------------------------------------------
# The two forms as small classes
# --------------------------------------------------------------------------------------


class Polynomial:
    """A polynomial in coefficient form over Fr: ``coeffs[j]`` multiplies X^j.

    Trailing zero coefficients are trimmed so equal polynomials compare equal.
    """

    __slots__ = ("coeffs",)

    def __init__(self, coeffs: Sequence[int | Fr]) -> None:
        c = [int(x) % R for x in coeffs]
        while c and c[-1] == 0:
            c.pop()
        self.coeffs = c

    @classmethod
    def from_evaluations(cls, evals: Sequence[int], domain: Domain) -> Polynomial:
        """Interpolate evaluations on ``domain`` (INTT)."""
        return cls(domain.intt(evals))

    def degree(self) -> int:
        """Degree; -1 for the zero polynomial."""
        return len(self.coeffs) - 1

    def __call__(self, x: int | Fr) -> int:
        """Evaluate by Horner's rule."""
        x = int(x) % R
        acc = 0
        for c in reversed(self.coeffs):
            acc = (acc * x + c) % R
        return acc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Polynomial) and self.coeffs == other.coeffs

    def __repr__(self) -> str:
        return f"Polynomial(degree {self.degree()})"

    def __add__(self, other: Polynomial) -> Polynomial:
        a, b = self.coeffs, other.coeffs
        if len(a) < len(b):
            a, b = b, a
        return Polynomial([x + (b[i] if i < len(b) else 0) for i, x in enumerate(a)])

    def __neg__(self) -> Polynomial:
        return Polynomial([-c for c in self.coeffs])

    def __sub__(self, other: Polynomial) -> Polynomial:
        return self + (-other)

    def __mul__(self, other: Polynomial | int | Fr) -> Polynomial:
        if not isinstance(other, Polynomial):
            k = int(other)
            return Polynomial([c * k for c in self.coeffs])
        if not self.coeffs or not other.coeffs:
            return Polynomial([])
        size = len(self.coeffs) + len(other.coeffs) - 1
        if min(len(self.coeffs), len(other.coeffs)) <= 32:  # schoolbook is faster for small
            out = [0] * size
            for i, a in enumerate(self.coeffs):
                for j, b in enumerate(other.coeffs):
                    out[i + j] += a * b
            return Polynomial(out)
        domain = Domain(1 << (size - 1).bit_length())
        evals = [x * y % R for x, y in zip(domain.ntt(self.coeffs), domain.ntt(other.coeffs))]
        return Polynomial(domain.intt(evals))

    __rmul__ = __mul__

    # --8<-- [start:divide_by_linear]
    def divide_by_linear(self, z: int | Fr) -> tuple[Polynomial, int]:
        """(q, f(z)) with f(X) = q(X) (X - z) + f(z): synthetic division (Ruffini).

        Going from the top coefficient down, q_{j-1} = c_j + z q_j; the last carry is
        the remainder, which is f(z). KZG's opening proof commits to q.
        """
        z = int(z) % R
        n = len(self.coeffs)
        if n == 0:
            return Polynomial([]), 0
        # BEGIN TASK 1.4: division by (X - z), Ruffini's rule
        quotient = [0] * (n - 1)
        carry = self.coeffs[-1]
        for j in range(n - 2, -1, -1):
            quotient[j] = carry
            carry = (self.coeffs[j] + z * carry) % R
        return Polynomial(quotient), carry
        # END TASK 1.4

    # --8<-- [end:divide_by_linear]

class Evaluations:
    """A polynomial of degree < n in Lagrange form: its values on a domain."""

    __slots__ = ("values", "domain")

    def __init__(self, values: Sequence[int | Fr], domain: Domain) -> None:
        if len(values) != domain.size:
            raise MalformedInput(f"expected {domain.size} evaluations, got {len(values)}")
        self.values = [int(v) % R for v in values]
        self.domain = domain

    def interpolate(self) -> Polynomial:
        return Polynomial.from_evaluations(self.values, self.domain)

    def __call__(self, x: int | Fr) -> int:
        """Evaluate anywhere by barycentric interpolation."""
        return self.domain.barycentric_eval(self.values, int(x))

    def __mul__(self, other: Evaluations) -> Evaluations:
        """Pointwise product (the product polynomial only if its degree stays < n)."""
        self._same_domain(other)
        return Evaluations([a * b for a, b in zip(self.values, other.values)], self.domain)

    def __add__(self, other: Evaluations) -> Evaluations:
        self._same_domain(other)
        return Evaluations([a + b for a, b in zip(self.values, other.values)], self.domain)

    def _same_domain(self, other: Evaluations) -> None:
        if self.domain != other.domain:
            raise MalformedInput("evaluations live on different domains")
