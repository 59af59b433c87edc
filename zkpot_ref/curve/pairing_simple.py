"""The optimal ate pairing as the textbook writes it: affine points on E(Fq12), full products.

Lesson. ``pairing.py`` is fast, and its speed hides the mathematics: T stays on the twist,
lines are sparse, constant factors are dropped, the loop walks signed digits, the final
exponentiation is an addition chain. This module is the same function written the way the
definition reads — the simple twin, as py_ecc keeps ``bn128`` beside ``optimized_bn128``.
``tests/curve/test_pairing_simple.py`` checks that both give the same value.

- **Untwist.** psi(x, y) = (x w^2, y w^3) maps the twist E'(Fq2): y^2 = x^3 + 3/xi into
  E(Fq12): y^2 = x^3 + 3 (because w^6 = xi). P in G1 already lies on E(Fq).
- **Lines.** With T, S, P affine points of E(Fq12), the line through T and S (the tangent
  if T = S) taken at P is l(P) = (yP - yT) - lambda (xP - xT), lambda its slope; a vertical
  line is xP - xT.
- **Miller loop.** Walk the binary digits of 6x + 2 below the leading one: f <- f^2 l_{T,T}(P),
  T <- 2T; on a digit 1 also f <- f l_{T,Q}(P), T <- T + Q.
- **Two more lines,** through pi(Q) = (xQ^p, yQ^p) and -pi^2(Q), the optimal ate correction
  (Vercauteren 2010; Beuchat et al. 2010, Algorithm 1, lines 9-12).
- **Final exponentiation** as one plain power, f^((p^12 - 1)/r): 2,790 bits of exponent.

About ten times slower than ``pairing.pairing`` (0.7 s against 0.07 s of CPU); use it to
read, not to verify.

Read next: ``msm_batch_affine.py`` (fast G1 additions), then ``msm.py``.
"""

from __future__ import annotations

from zkpot_ref.curve.final_exp import BN_X
from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.fq12 import Fq12
from zkpot_ref.curve.g1 import G1
from zkpot_ref.curve.g2 import G2
from zkpot_ref.field import P_MODULUS, R_MODULUS

ATE_LOOP_COUNT = 6 * BN_X + 2
FINAL_EXPONENT = (P_MODULUS**12 - 1) // R_MODULUS

#: an affine point of E(Fq12), or None for the point at infinity
Point = tuple[Fq12, Fq12] | None


def fq12(coefficients: dict[int, Fq2]) -> Fq12:
    """sum_k a_k w^k, given the non-zero coefficients a_k (k < 6) in Fq2."""
    return Fq12.from_w_coefficients([coefficients.get(k, Fq2.zero()) for k in range(6)])


THREE = fq12({0: Fq2(3)})


def embed(p: G1) -> Point:
    """P = (x, y) with x, y in Fq, read in Fq12."""
    affine = p.to_affine()
    return None if affine is None else (fq12({0: Fq2(affine[0])}), fq12({0: Fq2(affine[1])}))


def untwist(q: G2) -> Point:
    """psi(x, y) = (x w^2, y w^3): from the twist over Fq2 onto E(Fq12)."""
    affine = q.to_affine()
    return None if affine is None else (fq12({2: affine[0]}), fq12({3: affine[1]}))


# --8<-- [start:textbook]
def slope(t: tuple[Fq12, Fq12], s: tuple[Fq12, Fq12]) -> Fq12:
    """The slope of the line through T and S; the tangent's, 3 x^2 / 2y, when T = S."""
    (x1, y1), (x2, y2) = t, s
    if x1 == x2 and y1 == y2:
        return THREE * x1.square() * (y1 + y1).inverse()
    return (y2 - y1) * (x2 - x1).inverse()


def add(t: Point, s: Point) -> Point:
    """T + S on E(Fq12), affine (chord and tangent)."""
    if t is None or s is None:
        return s if t is None else t
    (x1, y1), (x2, y2) = t, s
    if x1 == x2 and y1 != y2:
        return None  # T + (-T)
    lam = slope(t, s)
    x3 = lam.square() - x1 - x2
    return x3, lam * (x1 - x3) - y1


def line(t: tuple[Fq12, Fq12], s: tuple[Fq12, Fq12], p: tuple[Fq12, Fq12]) -> Fq12:
    """The line through T and S, evaluated at P."""
    (x1, y1), (x2, y2), (xp, yp) = t, s, p
    if x1 == x2 and y1 != y2:
        return xp - x1  # vertical
    return (yp - y1) - slope(t, s) * (xp - x1)


def miller_loop(p: tuple[Fq12, Fq12], q: tuple[Fq12, Fq12]) -> Fq12:
    """f_{6x+2,Q}(P) times the two correction lines."""
    f, t = Fq12.one(), q
    for digit in bin(ATE_LOOP_COUNT)[3:]:
        f = f.square() * line(t, t, p)
        t = add(t, t)
        if digit == "1":
            f = f * line(t, q, p)
            t = add(t, q)
    q1 = (q[0].frobenius(), q[1].frobenius())  # pi(Q)
    minus_q2 = (q1[0].frobenius(), -q1[1].frobenius())  # -pi^2(Q)
    f = f * line(t, q1, p)
    t = add(t, q1)
    return f * line(t, minus_q2, p)


def pairing(p: G1, q: G2) -> Fq12:
    """e(P, Q) = f^((p^12 - 1)/r); 1 when either point is the identity."""
    pp, qq = embed(p), untwist(q)
    if pp is None or qq is None:
        return Fq12.one()
    return miller_loop(pp, qq) ** FINAL_EXPONENT

# --8<-- [end:textbook]
