"""PLONK (Gabizon–Williamson–Ciobotaru, eprint 2019/953), byte-compatible with snarkjs.

Read the lessons in this order: ``circuit.py`` (the table of gates), ``permutation.py``
(copy constraints), ``preprocess.py`` (keys), ``prover.py`` (rounds 1–5), ``proof.py``
(the proof and its bytes), ``verifier.py`` (one pairing check), ``verifier_unoptimised.py``
(the same checks step by step), ``snarkjs.py`` (JSON interop).
"""
