"""The optimal ate pairing e: G1 x G2 -> GT on BN254: the Miller loop.

Lesson. A pairing is a map e(P, Q) into the order-r subgroup GT of Fq12* that is
*bilinear*, e(aP, bQ) = e(P, Q)^(ab), and *non-degenerate*, e(g1, g2) != 1. KZG and PLONK
verifiers use it to check a product relation between committed polynomials with a single
equation, ``pairing_check``.

The optimal ate pairing (Vercauteren, "Optimal pairings", IEEE TIT 2010; for BN curves in
the form of Beuchat et al., Pairing 2010, Algorithm 1) is

    e(P, Q) = ( f_{6x+2, Q}(P) * l_{T, pi(Q)}(P) * l_{T + pi(Q), -pi^2(Q)}(P) )^((p^12-1)/r)

- f_{6x+2,Q} is the *Miller function*, built by the Miller loop: walk the digits of
  6x + 2 (x = 4965661367192848881, 65 bits) from the top; for each digit, square f, double
  T and multiply f by the tangent line at T evaluated at P; for a digit +-1 also add +-Q
  to T and multiply by the chord line through T and +-Q. We use the signed (NAF) digits
  of 6x + 2: 22 non-zero digits instead of 37 in binary.
- the two extra lines with pi(Q), pi^2(Q) (the twisted Frobenius, ``G2.frobenius``) are the
  "correction" that makes a loop of length ~ log(6x) instead of log(r) work.
- the final exponentiation is ``final_exp.py``.

Lines, sparsely. T and Q live on the twist (``g2.py``), where we keep T in affine
coordinates: an Fq2 inversion per step is cheap in Python next to an Fq12 product. Mapped
to E(Fq12) by psi(x, y) = (x w^2, y w^3), a line with twist slope lambda through T, taken at
P = (xP, yP), is

    l(P) = yP - lambda xP w + (lambda xT - yT) w^3

(the slope on E is lambda w). It has only three non-zero w-coefficients, and
``Fq12.mul_by_line`` multiplies by it at about half the cost of a full product. Vertical
lines and constant factors are left out: they lie in Fq6 and the final exponentiation maps
them to 1.

A *multi-pairing* runs the loops of all pairs side by side, sharing the squaring of f and
the single final exponentiation: prod e(P_i, Q_i) costs far less than the separate pairings.

Read next: ``pairing_simple.py`` (the same pairing, written as the textbook does).
"""

from __future__ import annotations

from collections.abc import Sequence

from zkpot_ref.curve.final_exp import BN_X, final_exponentiation
from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.fq12 import Fq12
from zkpot_ref.curve.g1 import G1
from zkpot_ref.curve.g2 import G2
from zkpot_ref.curve.points import wnaf_digits
from zkpot_ref.errors import MalformedInput

#: the Miller loop length 6x + 2 of the optimal ate pairing on BN curves
ATE_LOOP_COUNT = 6 * BN_X + 2
#: its NAF digits (width 2), most significant first; the leading 1 is T = Q itself
ATE_LOOP_NAF = list(reversed(wnaf_digits(ATE_LOOP_COUNT, width=2)))

Affine2 = tuple[Fq2, Fq2]


def _line_step(f: Fq12, t: Affine2, q: Affine2 | None, xp: int, yp: int) -> tuple[Fq12, Affine2]:
    """Multiply f by the line through T and Q (the tangent at T if Q is None), evaluated at
    P = (xp, yp); return the new f and T + Q (or 2T). Affine arithmetic on the twist."""
    xt, yt = t
    if q is None:  # tangent: lambda = 3 xT^2 / (2 yT)
        den = 2 * yt
        num = 3 * xt.square()
    else:  # chord: lambda = (yQ - yT) / (xQ - xT)
        xq, yq = q
        den = xq - xt
        num = yq - yt
    if den.is_zero():  # a vertical line: impossible for Q in G2, so Q was never validated
        raise MalformedInput("pairing: vertical line in the Miller loop; is Q in G2?")
    # BEGIN TASK 2.3: the Miller loop's line step
    lam = num / den
    x3 = lam.square() - xt - (xt if q is None else q[0])
    y3 = lam * (xt - x3) - yt
    f = f.mul_by_line(yp, lam * (-xp), lam * xt - yt)
    return f, (x3, y3)
    # END TASK 2.3


def _valid_pairs(pairs: Sequence[tuple[G1, G2]]) -> list[tuple[tuple[int, int], Affine2]]:
    """Affine coordinates of the pairs, dropping those with an identity (they contribute 1)."""
    out = []
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise MalformedInput("pairing: expected (G1, G2) pairs")
        p, q = pair
        if not isinstance(p, G1) or not isinstance(q, G2):
            raise MalformedInput(
                f"pairing: expected (G1, G2), got ({type(p).__name__}, {type(q).__name__})"
            )
        pa, qa = p.to_affine(), q.to_affine()
        if pa is not None and qa is not None:
            out.append((pa, qa))
    return out


def miller_loop(pairs: Sequence[tuple[G1, G2]]) -> Fq12:
    """prod_i f_{6x+2, Q_i}(P_i) * (the two Frobenius lines), before the final exponentiation.

    Pairs containing an identity are skipped. The loops of all pairs share each squaring of f.
    """
    valid = _valid_pairs(pairs)
    f = Fq12.one()
    if not valid:
        return f
    ts = [q for _, q in valid]
    negs = [(x, -y) for x, y in ts]
    for digit in ATE_LOOP_NAF[1:]:
        f = f.square()
        for i, ((xp, yp), q) in enumerate(valid):
            f, ts[i] = _line_step(f, ts[i], None, xp, yp)
            if digit == 1:
                f, ts[i] = _line_step(f, ts[i], q, xp, yp)
            elif digit == -1:
                f, ts[i] = _line_step(f, ts[i], negs[i], xp, yp)
    for i, ((xp, yp), q) in enumerate(valid):
        q1 = G2(q[0], q[1], Fq2.one()).frobenius()  # pi(Q)
        q2 = q1.frobenius()  # pi^2(Q)
        q1a, q2a = q1.to_affine(), (-q2).to_affine()
        f, ts[i] = _line_step(f, ts[i], q1a, xp, yp)
        f, _ = _line_step(f, ts[i], q2a, xp, yp)
    return f


def pairing(p: G1, q: G2) -> Fq12:
    """The optimal ate pairing e(P, Q) in GT (the r-th roots of unity in Fq12)."""
    return final_exponentiation(miller_loop([(p, q)]))


def multi_pairing(pairs: Sequence[tuple[G1, G2]]) -> Fq12:
    """prod_i e(P_i, Q_i) with one shared Miller loop and one final exponentiation."""
    return final_exponentiation(miller_loop(pairs))


def pairing_check(pairs: Sequence[tuple[G1, G2]]) -> bool:
    """True iff prod_i e(P_i, Q_i) == 1 (what KZG/PLONK verifiers and EIP-197 ask)."""
    return multi_pairing(pairs).is_one()
