"""Gadgets: the building blocks a ZKPoT circuit is made of (Poseidon, commitments, ...).

Each module here has a native half (plain Python over the BN254 scalar field) and, once the
PLONK builder exists, a circuit half that mirrors it step for step. Start with
``poseidon_constants.py``, then ``poseidon.py``, then ``commitment.py``.
"""
