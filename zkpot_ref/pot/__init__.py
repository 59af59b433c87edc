"""The ZKPoT statement: a committed quantized model gets exactly k test images right.

Read in order: ``task.py`` (the public task: architecture, shifts, test set, task id),
``commit.py`` (the model's private bytes and their salted Poseidon commitment),
``statement.py`` (the circuit: commitment + quantized inference + count = k),
``keys.py`` (proving and verification keys from a verified SRS, cached on disk),
``prove.py`` (``prove_accuracy`` / ``verify_accuracy`` and the proof file),
``command.py`` (``zkpot prove`` and ``zkpot verify``).
"""
