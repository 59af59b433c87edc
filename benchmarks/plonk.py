"""Benchmark: PLONK prove and verify time, proof size, at 2^10, 2^12, 2^14 gates.

Reference prover (pure Python) on random satisfiable circuits that fill the domain.
Median of --runs runs (default 5; sizes >= 2^14 use --big-runs, default 1, stated in
the table). The peer, in the same run: snarkjs 0.7.6 `plonk prove` / `plonk verify` on a
circom circuit with the same number of PLONK gates (a chain of x <== x*x + i), compiled by
the circom2 npm package; both come from `npm ci` and the peer is skipped with a message
when they are missing. ``--quick``: 2^6 and 2^8 only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "plonk"))

from plonk_helpers import random_circuit  # noqa: E402
from timing import timed  # noqa: E402

from zkpot_ref.kzg import SRS  # noqa: E402
from zkpot_ref.plonk.preprocess import setup  # noqa: E402
from zkpot_ref.plonk.prover import prove  # noqa: E402
from zkpot_ref.plonk.verifier import verify  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / "node_modules" / ".bin"
CACHE = ROOT / "benchmarks" / ".cache"

CHAIN_CIRCOM = """pragma circom 2.0.0;
template Chain(N) {
    signal input a;
    signal output out;
    signal x[N + 1];
    x[0] <== a;
    for (var i = 0; i < N; i++) {
        x[i + 1] <== x[i] * x[i] + i;
    }
    out <== x[N];
}
component main = Chain(%d);
"""


def run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {done.stderr[-400:]}")


def snarkjs_peer(k: int, runs: int) -> tuple[float, float] | None:
    """Median (prove, verify) seconds of snarkjs 0.7.6 on a circom chain of ~2^k gates.

    Each a fresh node process, as users run it. The ptau (one test contribution, power
    k + 1) is cached in benchmarks/.cache/ because preparing it takes minutes.
    """
    if not (BIN / "circom2").exists() or not (BIN / "snarkjs").exists():
        return None
    snarkjs, work = str(BIN / "snarkjs"), CACHE / f"chain_{k}"
    work.mkdir(parents=True, exist_ok=True)
    ptau = CACHE / f"pot{k + 1}_final.ptau"
    if not ptau.exists():
        print(f"  (preparing a power-{k + 1} ptau for snarkjs; cached afterwards)", flush=True)
        run([snarkjs, "powersoftau", "new", "bn128", str(k + 1), "p0.ptau"], CACHE)
        run([snarkjs, "powersoftau", "contribute", "p0.ptau", "p1.ptau", "--name=bench",
             "-e=zkpot benchmark"], CACHE)
        run([snarkjs, "powersoftau", "prepare", "phase2", "p1.ptau", ptau.name], CACHE)
    # one gate per multiplication, plus a few for the input/output wiring
    (work / "chain.circom").write_text(CHAIN_CIRCOM % ((1 << k) - 8))
    run([str(BIN / "circom2"), "chain.circom", "--r1cs", "--wasm", "-o", "."], work)
    (work / "input.json").write_text('{"a": "3"}')
    run(["node", "chain_js/generate_witness.js", "chain_js/chain.wasm", "input.json", "w.wtns"],
        work)
    run([snarkjs, "plonk", "setup", "chain.r1cs", str(ptau), "chain.zkey"], work)
    prove_cmd = [snarkjs, "plonk", "prove", "chain.zkey", "w.wtns", "proof.json", "public.json"]
    t_prove, _ = timed(lambda: run(prove_cmd, work), runs)
    verify_cmd = [snarkjs, "zkey", "export", "verificationkey", "chain.zkey", "vk.json"]
    run(verify_cmd, work)
    t_verify, _ = timed(
        lambda: run([snarkjs, "plonk", "verify", "vk.json", "public.json", "proof.json"], work),
        runs)
    return t_prove, t_verify




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-runs", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs="*", help="log2 sizes to run")
    parser.add_argument("--no-peer", action="store_true", help="skip snarkjs")
    args = parser.parse_args()
    sizes = args.sizes or ([6, 8] if args.quick else [10, 12, 14])
    print("building the test SRS (known tau: benchmarks only) ...", flush=True)
    srs = SRS.insecure_from_tau(0xBE7C4, (1 << max(sizes)) + 8)
    if not (BIN / "circom2").exists():
        print("peer: snarkjs skipped — run `npm ci` (snarkjs and the circom2 compiler)")
    results: dict[str, float] = {}
    print(f"{'gates':>6} {'prove (s)':>10} {'verify (s)':>11} {'proof bytes':>12} {'runs':>5}"
          f" {'snarkjs prove (s)':>18} {'snarkjs verify (s)':>19} {'prove ratio':>12}")
    for k in sizes:
        runs = args.runs if k < 14 else args.big_runs
        circuit = random_circuit(k, (1 << k) - 4, 4)
        pk, vk = setup(circuit, srs)
        assert pk.domain.size == 1 << k
        t_prove, proof = timed(lambda pk=pk, c=circuit: prove(pk, c), runs)
        t_verify, ok = timed(lambda vk=vk, c=circuit, p=proof: verify(vk, c.public_values(), p),
                             runs)
        assert ok
        size = len(proof.to_bytes())
        peer = None if args.no_peer else snarkjs_peer(k, runs)
        peer_text = ""
        if peer:
            peer_text = f" {peer[0]:18.2f} {peer[1]:19.2f} {t_prove / peer[0]:12.1f}"
            results[f"snarkjs_2_{k}_prove_s"], results[f"snarkjs_2_{k}_verify_s"] = peer
            results[f"plonk_2_{k}_prove_ratio_vs_snarkjs"] = t_prove / peer[0]
        print(f"{'2^' + str(k):>6} {t_prove:10.2f} {t_verify:11.3f} {size:12d} {runs:5d}"
              + peer_text, flush=True)
        results[f"plonk_2_{k}_prove_s"] = t_prove
        results[f"plonk_2_{k}_verify_s"] = t_verify
        results["proof_bytes"] = size
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
