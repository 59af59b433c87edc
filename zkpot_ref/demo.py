"""``zkpot demo``: a two-minute tour of the foundations (fields and the NTT).

A later issue replaces this with the end-to-end demo (train, quantize, commit, prove,
verify, commit a block). For now it shows the first lessons working on real numbers.
"""

from __future__ import annotations

import argparse
import random
import time

from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import Fr
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
    return 0
