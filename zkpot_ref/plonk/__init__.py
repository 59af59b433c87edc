"""PLONK (Gabizon–Williamson–Ciobotaru, eprint 2019/953), byte-compatible with snarkjs.

Read the lessons in this order: ``circuit.py`` (the table of gates), ``permutation.py``
(copy constraints), ``lookup.py`` (logUp), ``checks.py`` (comparisons built from gates
and lookups), ``preprocess.py`` (keys), ``proof.py`` (the five messages and their bytes),
``fiat_shamir.py`` (the challenge schedule prover and verifier share), ``quotient.py``
(round 3's arithmetic), ``prover.py`` (rounds 1–5), ``verifier.py`` (one pairing check),
``verifier_unoptimised.py`` (the same checks step by step), ``snarkjs.py`` (JSON interop).
"""
