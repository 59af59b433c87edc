"""Benchmark: Ed25519 sign / verify in pure Python (zkpot_ref.ledger.signatures).

Each figure is the median over many single operations on distinct 100-byte messages
(verify with the memo cleared, so it measures the real work; the memo hit is reported
separately). ``verify`` is measured for a key seen many times (a validator: comb-table
path) and for keys seen once (a client: Straus path). The peer is OpenSSL through
``cryptography`` when it is installed.
``--quick`` uses fewer operations; ``--json`` ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from zkpot_ref.ledger import signatures


def median_us(fn, items) -> float:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer operations")
    parser.add_argument("--json", action="store_true", help="print a JSON line at the end")
    args = parser.parse_args()
    count = 50 if args.quick else 500
    rng = random.Random(8032)
    secret, public = signatures.generate_keypair(rng.randbytes(32))
    messages = [rng.randbytes(100) for _ in range(count)]
    sigs = [signatures.sign(secret, m) for m in messages]
    results: dict[str, float] = {}
    results["ed25519_sign_us"] = median_us(lambda m: signatures.sign(secret, m), messages)
    signatures.clear_verify_memo()
    results["ed25519_verify_us"] = median_us(
        lambda i: signatures.verify(public, messages[i], sigs[i]), range(count)
    )
    fresh = [signatures.generate_keypair(rng.randbytes(32)) for _ in range(count)]
    fresh_sigs = [signatures.sign(sk, messages[i]) for i, (sk, _) in enumerate(fresh)]
    results["ed25519_verify_new_key_us"] = median_us(
        lambda i: signatures.verify(fresh[i][1], messages[i], fresh_sigs[i]), range(count)
    )
    results["ed25519_verify_memo_hit_us"] = median_us(
        lambda i: signatures.verify(public, messages[i], sigs[i]), range(count)
    )
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        print("cryptography not installed: no OpenSSL peer figures")
    else:
        key = Ed25519PrivateKey.from_private_bytes(secret)
        peer = key.public_key()
        results["openssl_sign_us"] = median_us(key.sign, messages)
        results["openssl_verify_us"] = median_us(
            lambda i: peer.verify(sigs[i], messages[i]), range(count)
        )
        results["verify_ratio_vs_openssl"] = (
            results["ed25519_verify_us"] / results["openssl_verify_us"]
        )
    print(f"{'operation':<28} {'median (us)':>12}   ({count} operations each)")
    for name, value in results.items():
        if name.endswith("_us"):
            print(f"{name:<28} {value:12.1f}")
    if "verify_ratio_vs_openssl" in results:
        print(f"verify is {results['verify_ratio_vs_openssl']:.0f}x slower than OpenSSL")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
