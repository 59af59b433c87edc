"""Benchmark: rows per gadget, and proving range checks with lookups vs bit decomposition.

Prints three tables:

1. rows per range check of 8, 16 and 32 bits: ``plonk.checks.range_check`` (lookups in an
   8-bit table) beside ``commitment_circuit.range_check_bits`` (bit decomposition);
2. rows per Poseidon permutation (t wires in, t out) and per circomlibjs hash, t = 2, 3, 5
   (also rows for committing to 1,000 8-bit values);
3. setup and prove time of a circuit of N range checks (N = 1,000; ``--quick``: 100) of
   ``--bits`` bits (default 8) on random values, lookups vs bits, side by side, on the
   reference (pure-Python) backend. Prove time is the median of ``--runs`` runs (default
   5) for the lookup circuit and of ``--big-runs`` (default 3) for the bit-decomposition
   circuit, which is about 15 times larger; setup is timed once.

Row counts are measured by building the circuits, not taken from the formulas. No peer:
circom has no lookups, so a snarkjs side-by-side would only measure the bit version.
``--json``: the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable

from zkpot_ref.gadgets.commitment import commit
from zkpot_ref.gadgets.commitment_circuit import assert_commitment, range_check_bits
from zkpot_ref.gadgets.poseidon_circuit import poseidon_gadget, poseidon_permutation
from zkpot_ref.kzg import SRS
from zkpot_ref.plonk.checks import range_check
from zkpot_ref.plonk.circuit import Circuit
from zkpot_ref.plonk.preprocess import domain_size_for, setup
from zkpot_ref.plonk.prover import prove
from zkpot_ref.plonk.verifier import verify

CHECKERS: dict[str, Callable[..., None]] = {"lookup": range_check, "bits": range_check_bits}
TAU = 0x5EED_7A0  # insecure, benchmark only: a ceremony's output in real use


def rows_of(build: Callable[[Circuit], object]) -> int:
    """Rows a gadget adds to a circuit that already holds its inputs."""
    circuit = Circuit()
    before = len(circuit.gates)
    build(circuit)
    return len(circuit.gates) - before


def range_check_rows() -> dict[str, int]:
    out = {}
    for bits in (8, 16, 32):
        for name, check in CHECKERS.items():
            out[f"range_check_rows_{name}_{bits}"] = rows_of(
                lambda c, check=check, bits=bits: check(c, c.private_input(5), bits))
    return out


def poseidon_rows() -> dict[str, int]:
    out = {}
    for t in (2, 3, 5):
        out[f"poseidon_permutation_rows_t{t}"] = rows_of(
            lambda c, t=t: poseidon_permutation(c, [c.private_input(i) for i in range(t)]))
        out[f"poseidon_hash_rows_t{t}"] = rows_of(
            lambda c, t=t: poseidon_gadget(c, [c.private_input(i) for i in range(t - 1)]))
    values = [random.Random(1).randrange(256) for _ in range(1000)]
    commitment, salt = commit(values, 8)
    for name, check in CHECKERS.items():
        def build(c: Circuit, check=check) -> None:
            public = c.public_input(commitment)
            wires = [c.private_input(v) for v in values]
            assert_commitment(c, public, wires, 8, c.private_input(salt), range_check=check)
        out[f"commitment_rows_1000x8bit_{name}"] = rows_of(build)
    return out


def range_check_circuit(values: list[int], bits: int, check: Callable[..., None]) -> Circuit:
    """N private values, each range-checked; no public inputs."""
    circuit = Circuit()
    for v in values:
        check(circuit, circuit.private_input(v), bits)
    return circuit


def time_proving(count: int, bits: int, runs: dict[str, int]) -> dict[str, float | int]:
    rng = random.Random(count)
    values = [rng.randrange(1 << bits) for _ in range(count)]
    circuits = {name: range_check_circuit(values, bits, check) for name, check in CHECKERS.items()}
    largest = max(domain_size_for(c) for c in circuits.values())
    start = time.perf_counter()
    srs = SRS.insecure_from_tau(TAU, largest + 8)
    print(f"(test SRS of {largest + 8} powers: {time.perf_counter() - start:.1f} s)")
    out: dict[str, float | int] = {}
    for name, circuit in circuits.items():
        circuit.check_witness()
        start = time.perf_counter()
        pk, vk = setup(circuit, srs)
        out[f"setup_s_{name}"] = time.perf_counter() - start
        times, proof = [], None
        for _ in range(runs[name]):
            start = time.perf_counter()
            proof = prove(pk, circuit)
            times.append(time.perf_counter() - start)
        if not verify(vk, circuit.public_values(), proof):
            raise SystemExit(f"the {name} proof did not verify")
        out[f"rows_{name}"] = len(circuit.gates)
        out[f"domain_{name}"] = pk.domain.size
        out[f"prove_s_{name}"] = statistics.median(times)
        out[f"prove_runs_{name}"] = runs[name]
    out["prove_ratio_bits_vs_lookup"] = out["prove_s_bits"] / out["prove_s_lookup"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 range checks")
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    parser.add_argument("--checks", type=int, help="number of range checks (default 1000)")
    parser.add_argument("--bits", type=int, default=8, help="bits per range check")
    parser.add_argument("--runs", type=int, default=5, help="prove runs, lookup circuit")
    parser.add_argument("--big-runs", type=int, default=3, help="prove runs, bits circuit")
    args = parser.parse_args()
    count = args.checks or (100 if args.quick else 1000)

    results: dict[str, object] = {}
    rows = range_check_rows()
    results.update(rows)
    print("rows per range check   lookup (8-bit table)   bit decomposition")
    for bits in (8, 16, 32):
        print(f"  {bits:2d} bits              {rows[f'range_check_rows_lookup_{bits}']:8d}"
              f"   {rows[f'range_check_rows_bits_{bits}']:17d}")

    rows = poseidon_rows()
    results.update(rows)
    print("\nrows per Poseidon      permutation (t in, t out)   hash (circomlibjs, t-1 inputs)")
    for t in (2, 3, 5):
        print(f"  t = {t}               {rows[f'poseidon_permutation_rows_t{t}']:10d}"
              f"   {rows[f'poseidon_hash_rows_t{t}']:30d}")
    print(f"commitment statement, 1,000 8-bit values (incl. the public-input row): "
          f"{rows['commitment_rows_1000x8bit_lookup']} rows "
          f"(lookups), {rows['commitment_rows_1000x8bit_bits']} rows (bits)")

    runs = {"lookup": args.runs, "bits": args.big_runs}
    timing = time_proving(count, args.bits, runs)
    results.update(timing, range_checks=count, range_check_bits=args.bits)
    print(f"\n{count} range checks of {args.bits} bits, reference backend")
    print("method   rows    domain   setup (s)   prove (s, median)   runs")
    for name in CHECKERS:
        print(f"{name:7s} {timing[f'rows_{name}']:6d} {timing[f'domain_{name}']:8d}"
              f" {timing[f'setup_s_{name}']:10.2f} {timing[f'prove_s_{name}']:18.2f}"
              f" {runs[name]:6d}")
    print(f"bits / lookup prove time: {timing['prove_ratio_bits_vs_lookup']:.1f}x")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
