"""``zkpot tour``: the first lessons at work on real numbers, in a few seconds.

Fields, the NTT, a Keccak challenge, a PLONK proof with a lookup range check, and a
salted Poseidon commitment. The whole system — training, proofs, consensus — is
``zkpot demo`` (``demo.py``).

Read next: ``cli.py`` (the ``zkpot`` command, the last module of the course).
"""

from __future__ import annotations

import argparse
import random
import time

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import Fr
from zkpot_ref.gadgets.commitment import commit, open_commitment
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.checks import range_check
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify
from zkpot_ref.poly import Domain, Polynomial
from zkpot_ref.transcript import Transcript, keccak256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-size", type=int, default=10, metavar="K",
                        help="NTT size 2^K for the round trip (default 10, max 20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.log_size <= 20:
        raise MalformedInput(f"--log-size must be between 1 and 20, got {args.log_size}")
    rng = random.Random(args.seed)
    print("1. The BN254 scalar field Fr")
    a, b = Fr(rng.randrange(Fr.MODULUS)), Fr(3)
    print(f"   a = {int(a)}")
    print(f"   a / 3 * 3 == a: {a / b * b == a};  a^(r-1) == 1: {a ** (Fr.MODULUS - 1) == 1}")
    root = (a * a).sqrt()
    print(f"   sqrt(a^2) is +-a: {root in (a, -a)}")

    n = 1 << args.log_size
    domain = Domain(n)
    print(f"2. An NTT over the domain of size 2^{args.log_size} (omega = 5^((r-1)/{n}))")
    coeffs = [rng.randrange(Fr.MODULUS) for _ in range(n)]
    start = time.perf_counter()
    evals = domain.ntt(coeffs)
    ntt_s = time.perf_counter() - start
    x = domain.element(3)
    print(f"   f(omega^3) by the NTT == by Horner's rule: {evals[3] == Polynomial(coeffs)(x)}")
    print(f"   INTT(NTT(f)) == f: {domain.intt(evals) == coeffs}   (NTT took {ntt_s * 1e3:.1f} ms)")

    print("3. A Fiat–Shamir challenge from Keccak-256")
    transcript = Transcript()
    transcript.absorb_scalar(evals[0])
    print(f"   keccak256('') = {keccak256(b'').hex()}")
    print(f"   challenge     = {transcript.challenge()}")

    print("4. A PLONK proof that y = x^3 + x + 5 for a secret x, with x range-checked")
    secret = rng.randrange(256)
    srs = SRS.insecure_from_tau(rng.randrange(2, Fr.MODULUS), 300)  # a demo: tau is known!
    pk, vk = setup(_cubic_circuit(None), srs)
    start = time.perf_counter()
    proof = prove(pk, _cubic_circuit(secret))
    prove_s = time.perf_counter() - start
    y = secret**3 + secret + 5
    print(f"   public y = {y}; proof of {len(proof.to_bytes())} bytes in {prove_s:.2f} s")
    print(f"   verifies for y: {verify(vk, [y], proof)};  for y + 1: {verify(vk, [y + 1], proof)}")

    print("5. A salted Poseidon commitment to four 8-bit weights")
    weights = [rng.randrange(256) for _ in range(4)]
    commitment, salt = commit(weights, bits=8)
    print(f"   weights {weights} -> {commitment}")
    print(f"   opens: {open_commitment(commitment, weights, 8, salt)};  with other weights: "
          f"{open_commitment(commitment, [w ^ 1 for w in weights], 8, salt)}")
    return 0


def _cubic_circuit(x: int | None) -> Circuit:
    """y = x^3 + x + 5 with 0 <= x < 2^8 (a lookup range check)."""
    c = Circuit()
    y = c.public_input(None if x is None else x**3 + x + 5)
    x_var = c.private_input(x)
    range_check(c, x_var, 8)
    cube = c.mul(c.mul(x_var, x_var), x_var)
    c.assert_equal(c.linear_combination(cube, x_var, 1, 1, 5), y)
    return c
