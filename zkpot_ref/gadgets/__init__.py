"""Gadgets: the building blocks a ZKPoT circuit is made of (Poseidon, commitments, ...).

Each idea has a native half (plain Python over the BN254 scalar field) and a circuit half
that mirrors it step for step on the PLONK builder. Read ``poseidon_constants.py``,
``poseidon.py``, ``poseidon_circuit.py``, then ``commitment.py``, ``commitment_circuit.py``,
``poseidon_sparse.py`` (the permutation in fewer rows), and for the network
``nn_limbs.py``, ``nn_layers.py``, ``nn_argmax.py``.
"""
