"""Federated learning: the "training" in Proof of Training.

Read in order: ``data.py`` (the bundled digits, splits and client partitions),
``model.py`` (the MLP and its JAX training loop), ``client.py`` (local training, then
quantization into the integer model ``zkpot_ref.quant`` defines, and the submission),
``verify.py`` (what a validator checks), ``robust.py`` (the robust-aggregation
baselines), ``aggregation.py`` (leader, top-k, gated-fedavg, fedavg-all and the baselines),
``attacks.py`` (Byzantine clients), ``experiment.py`` (the simulation), ``command.py``
(``zkpot experiment``: CSV, markdown table, optional plot), ``task_command.py``
(``zkpot task``), ``grid.py`` (the sweep: every mode against every attack, IID and
non-IID).

Only ``model.py`` imports JAX directly; ``command.py`` imports the rest inside ``run``,
so ``zkpot --help`` stays fast.
"""
