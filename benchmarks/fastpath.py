"""Benchmark: the JAX fast path against the reference, side by side in one run.

NTT 2^12..2^18, MSM 2^10..2^16, a whole PLONK proof 2^12..2^16 gates, the ZKPoT witness of
the 64-32-10 task at n = 16 test images (``trace``: ``statement.inference_trace``, the
integer inference with every intermediate, against ``fastpath/witness.py``; ``witness``: the
whole ``statement.build`` with values, which also lays the rows; ``--witness-n`` for other
n, ``--witness-n`` with no value to skip), and (``--zkpot``) the ZKPoT 64-32-10 proof at n =
16, and (``--rounds``) the prover's round kernels of ``fastpath/prover.py`` — the
permutation accumulator (``z_acc``), the lookup running sum (``phi``) and the round-3
quotient with lookups on the 4n coset (``quot``) — at n = 2^k rows. For every row: reference
and fast path, median wall-clock AND CPU seconds (the machine is shared: CPU time is the
steadier figure), the fast path's first-call time minus its median (the jit compile,
reported apart; 0 when JAX's persistent cache already held the program), and the speedup
(reference / fast path, on CPU time and on wall time). Medians of --runs runs after one
warm-up call; sizes >= 2^16 use --big-runs (default 1 — the reference takes minutes there;
the table says how many runs each row had). ``--quick``: the smallest sizes. ``--json``: one
JSON object with the figures as the last line (``ntt_2_16_speedup``, ``msm_2_16_speedup``,
``prove_2_16_speedup``, ``witness_n16_speedup``, ``trace_n16_speedup`` — CPU-time ratios —
where measured).
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "plonk"))
sys.path.insert(0, str(ROOT / "tests" / "pot"))

from fastpath import JaxAllBackend, JaxBackend  # noqa: E402
from fastpath import msm as fast_msm  # noqa: E402
from zkpot_ref.backend import Backend  # noqa: E402
from zkpot_ref.curve import G1  # noqa: E402
from zkpot_ref.field import R_MODULUS as R  # noqa: E402
from zkpot_ref.poly import Domain  # noqa: E402


def measure(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    """First call (wall), then median wall and CPU seconds of ``runs`` more calls."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    wall = statistics.median(walls)
    return {"wall": wall, "cpu": statistics.median(cpus), "compile": max(first - wall, 0.0),
            "runs": runs}


def row(kind: str, k: int, ref: dict[str, float], fast: dict[str, float],
        results: dict[str, float], size: str | None = None) -> None:
    """One table row and its JSON keys ``{kind}_{size}_...`` (size "2_k", or e.g. "n16")."""
    cpu_ratio, wall_ratio = ref["cpu"] / fast["cpu"], ref["wall"] / fast["wall"]
    label, key = (f"2^{k}", f"{kind}_2_{k}") if size is None else (size, f"{kind}_{size}")
    print(f"{kind:7} {label:5} {ref['cpu']:9.3f} {ref['wall']:9.3f} {fast['cpu']:9.3f}"
          f" {fast['wall']:9.3f} {fast['compile']:9.2f} {cpu_ratio:7.2f} {wall_ratio:7.2f}"
          f" {ref['runs']:>3}/{fast['runs']}", flush=True)
    results[f"{key}_speedup"] = round(cpu_ratio, 3)
    results[f"{key}_speedup_wall"] = round(wall_ratio, 3)
    results[f"{key}_reference_cpu_s"] = round(ref["cpu"], 4)
    results[f"{key}_jax_cpu_s"] = round(fast["cpu"], 4)
    results[f"{key}_jax_compile_s"] = round(fast["compile"], 2)


def points(n: int) -> list[G1]:
    rng = random.Random(n)
    step, acc, out = G1.generator() * rng.randrange(1, R), G1.generator(), []
    for _ in range(n):
        acc = acc + step
        out.append(acc)
    return out


def round_rows(k: int, runs: int, results: dict[str, float]) -> None:
    """The three kernels of fastpath/prover.py against their reference twins, n = 2^k."""
    from fastpath import prover as fast_rounds
    from zkpot_ref.plonk import lookup, permutation, quotient
    from zkpot_ref.plonk.quotient import COLUMNS, LOOKUP_COLUMNS, QuotientInputs

    n, rng = 1 << k, random.Random(k)

    def column(length: int) -> list[int]:
        return [rng.randrange(R) for _ in range(length)]

    wires, sigmas, (beta, gamma, alpha, delta) = [column(n) for _ in range(3)], \
        [column(n) for _ in range(3)], column(4)
    table = column(n)
    f = [rng.choice(table) for _ in range(n)]
    m = lookup.multiplicities(f, table)
    inputs = QuotientInputs(n, {name: column(4 * n) for name in COLUMNS + LOOKUP_COLUMNS},
                            beta, gamma, alpha, delta)
    domain = Domain(n)
    for kind, ours, theirs, arguments in [
            ("z_acc", fast_rounds.accumulator, permutation.accumulator,
             (wires, sigmas, domain, beta, gamma)),
            ("phi", fast_rounds.running_sum, lookup.running_sum, (f, table, m, delta)),
            ("quot", fast_rounds.quotient_on_coset, quotient.quotient_on_coset, (inputs,))]:
        fast = measure(functools.partial(ours, *arguments), runs)
        ref = measure(functools.partial(theirs, *arguments), runs)
        row(kind, k, ref, fast, results)


def quotient_parts(k: int, runs: int, results: dict[str, float]) -> None:
    """Where fastpath/prover.py's quotient spends its time at n = 2^k (4n points), CPU s:
    ints -> limbs, the compiled program, limbs -> ints; and one vector product / addition
    over 4n points against Python's ``x * y % r`` / ``x + y`` (what bounds it)."""
    import jax

    from fastpath import field as F
    from fastpath import prover as fast_rounds
    from zkpot_ref.plonk.quotient import COLUMNS, LOOKUP_COLUMNS, QuotientInputs

    n, rng, names = 1 << k, random.Random(k), COLUMNS + LOOKUP_COLUMNS
    inputs = QuotientInputs(n, {c: [rng.randrange(R) for _ in range(4 * n)] for c in names},
                            3, 5, 7, 11)
    columns = [inputs.columns[c] for c in names]
    with F.x64():  # the kernel's own pieces (private names: this measures its insides)
        arguments = fast_rounds.program_arguments(inputs)
        program = functools.partial(fast_rounds._quotient, *arguments, names, True)
        limbs = arguments[0]
        out = program()
        x, (a, b) = limbs[0], columns[:2]
        product = jax.jit(lambda v: F.mont_mul(v, v, F.FR))
        addition = jax.jit(lambda v: F.add(v, v, F.FR))
        parts: list[tuple[str, str, Callable[[], Any]]] = [
            ("whole kernel", "whole", lambda: fast_rounds.quotient_on_coset(inputs)),
            ("ints -> limbs", "to_limbs", lambda: fast_rounds._columns_to_limbs(columns)),
            ("compiled program", "program", lambda: program().block_until_ready()),
            ("limbs -> ints", "from_limbs", lambda: F.from_limbs(out)),
            ("one vector product", "vector_mul", lambda: product(x).block_until_ready()),
            ("one vector addition", "vector_add", lambda: addition(x).block_until_ready()),
            ("one Python x * y % r", "python_mul", lambda: [u * v % R for u, v in zip(a, b)]),
            ("one Python x + y", "python_add", lambda: [u + v for u, v in zip(a, b)])]
        print(f"quotient at n = 2^{k} ({4 * n} coset points), CPU s, median of {runs}:")
        for label, key, fn in parts:
            cpu = measure(fn, runs)["cpu"]
            print(f"  {label:22} {cpu:8.3f}", flush=True)
            results[f"quot_parts_2_{k}_{key}_cpu_s"] = round(cpu, 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=1)
    parser.add_argument("--ntt", type=int, nargs="*", help="log2 NTT sizes")
    parser.add_argument("--msm", type=int, nargs="*", help="log2 MSM sizes")
    parser.add_argument("--prove", type=int, nargs="*", help="log2 proof sizes (gates)")
    parser.add_argument("--witness-n", type=int, nargs="*", default=[16],
                        help="test-set sizes of the ZKPoT witness rows (64-32-10)")
    parser.add_argument("--zkpot", action="store_true", help="also the ZKPoT proof, n = 16")
    parser.add_argument("--rounds", type=int, nargs="*",
                        help="log2 row counts of the round-kernel rows (z_acc, phi, quot)")
    parser.add_argument("--fast", choices=["jax", "jax-all"], default="jax",
                        help="the fast backend of the proof rows: jax (the CPU's best, the "
                        "default) or jax-all (every kernel in JAX: for accelerators)")
    parser.add_argument("--parts", type=int, default=None, metavar="K",
                        help="also split the quotient kernel at n = 2^K into its pieces")
    args = parser.parse_args()
    ntt_sizes = args.ntt if args.ntt is not None else ([8, 10] if args.quick else
                                                       [12, 14, 16, 18])
    msm_sizes = args.msm if args.msm is not None else ([4, 6] if args.quick else
                                                       [10, 12, 14, 16])
    prove_sizes = args.prove if args.prove is not None else ([6] if args.quick else
                                                             [12, 14, 16])
    round_sizes = args.rounds if args.rounds is not None else ([6] if args.quick else
                                                               [12, 14, 16])
    if args.runs < 1 or args.big_runs < 1:
        parser.error("--runs and --big-runs take a count of at least 1")
    for name, sizes in [("--ntt", ntt_sizes), ("--msm", msm_sizes), ("--prove", prove_sizes),
                        ("--rounds", round_sizes)]:
        if any(not 1 <= k <= 20 for k in sizes):
            parser.error(f"{name} takes log2 sizes from 1 to 20")
    reference = Backend()
    jax_backend = JaxAllBackend() if args.fast == "jax-all" else JaxBackend()
    results: dict[str, float] = {}
    print(f"{'kernel':7} {'size':5} {'ref cpu':>9} {'ref wall':>9} {'jax cpu':>9} {'jax wall':>9}"
          f" {'compile':>9} {'x cpu':>7} {'x wall':>7} runs (ref/jax)  [seconds]")

    def runs_for(k: int) -> int:
        return args.runs if k < 16 else args.big_runs

    for k in ntt_sizes:
        n, rng = 1 << k, random.Random(k)
        omega, values = Domain(n).omega, [rng.randrange(R) for _ in range(n)]
        fast = measure(functools.partial(jax_backend.ntt, values, omega), args.runs)
        ref = measure(functools.partial(reference.ntt, values, omega), runs_for(k))
        row("ntt", k, ref, fast, results)

    for k in msm_sizes:
        pts = points(1 << k)
        rng = random.Random(k)
        ks = [rng.randrange(R) for _ in pts]
        fast = measure(functools.partial(fast_msm.msm, pts, ks), runs_for(k))
        ref = measure(functools.partial(reference.msm, pts, ks), runs_for(k))
        row("msm", k, ref, fast, results)

    for k in round_sizes:
        round_rows(k, args.runs if k < 16 else args.big_runs, results)

    if args.parts is not None:
        if not 1 <= args.parts <= 20:
            parser.error("--parts takes a log2 size from 1 to 20")
        quotient_parts(args.parts, args.runs, results)

    if prove_sizes:
        from plonk_helpers import random_circuit

        from zkpot_ref.kzg import SRS
        from zkpot_ref.plonk.preprocess import setup
        from zkpot_ref.plonk.prover import prove

        srs = SRS.insecure_from_tau(0xFA57, (1 << max(prove_sizes)) + 8)
        for k in prove_sizes:
            circuit = random_circuit(k, (1 << k) - 4, 4)
            pk, _ = setup(circuit, srs, jax_backend)
            blinders = list(range(1, 12))
            fast = measure(functools.partial(prove, pk, circuit, blinders=blinders,
                                             backend=jax_backend), runs_for(k))
            ref = measure(functools.partial(prove, pk, circuit, blinders=blinders,
                                            backend=reference), runs_for(k))
            row("prove", k, ref, fast, results)

    for n in args.witness_n:
        from pot_helpers import random_model, random_task

        from zkpot_ref.pot.prove import claim
        from zkpot_ref.pot.statement import Witness, build, inference_trace

        sizes = (64, 32, 10)
        task, model = random_task(sizes, n, seed=1), random_model(sizes, 2)
        witness = Witness(model, 7, claim(task, model, 7, 1, 1))
        inputs = (model, task.images, task.labels)
        fast_trace = jax_backend.kernel(inference_trace)
        fast = measure(functools.partial(fast_trace, *inputs), args.runs)
        ref = measure(functools.partial(inference_trace, *inputs), args.runs)
        row("trace", 0, ref, fast, results, size=f"n{n}")
        fast = measure(functools.partial(build, task, witness, jax_backend), args.runs)
        ref = measure(functools.partial(build, task, witness, reference), args.runs)
        row("witness", 0, ref, fast, results, size=f"n{n}")

    if args.zkpot:
        from pot_helpers import random_model, random_task

        from zkpot_ref.kzg import SRS
        from zkpot_ref.plonk.prover import prove
        from zkpot_ref.pot.keys import build_keys
        from zkpot_ref.pot.prove import claim
        from zkpot_ref.pot.statement import Witness, build

        sizes = (64, 32, 10)
        task, model = random_task(sizes, 16, seed=1), random_model(sizes, 2)
        public = claim(task, model, 7, 1, 1)
        circuit = build(task, Witness(model, 7, public)).circuit
        srs = SRS.insecure_from_tau(0xFA57, len(circuit.gates) * 2 + 64)
        keys = build_keys(task, srs, jax_backend)
        k = keys.vk.n.bit_length() - 1
        blinders = list(range(1, 17))
        fast = measure(lambda: prove(keys.pk, circuit, blinders=blinders, backend=jax_backend),
                       args.big_runs)
        ref = measure(lambda: prove(keys.pk, circuit, blinders=blinders, backend=reference),
                      args.big_runs)
        row("zkpot", k, ref, fast, results)
        results["zkpot_n16_jax_wall_s"] = round(fast["wall"], 2)
        results["zkpot_n16_reference_wall_s"] = round(ref["wall"], 2)

    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
