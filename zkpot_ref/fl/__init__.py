"""Federated learning: the "training" in Proof of Training.

Read in order: ``data.py`` (the bundled digits, splits and client partitions),
``model.py`` (the MLP and its JAX training loop), ``client.py`` (local training, then
quantization into the integer model ``zkpot_ref.quant`` defines, and the submission),
``verify.py`` (what a validator checks), ``robust.py`` (Krum, median, trimmed mean,
FLTrust: the defences without proofs), ``aggregation.py`` (leader, top-k, gated-fedavg,
fedavg-all and the robust baselines), ``attacks.py`` (Byzantine clients), ``experiment.py``
(the simulation), ``grid.py`` (mode x attack x alpha x seed sweeps), ``command.py``
(``zkpot experiment``: CSV, markdown table, optional plot).

Only ``model.py`` imports JAX directly; ``command.py`` imports the rest inside ``run``,
so ``zkpot --help`` stays fast.
"""
