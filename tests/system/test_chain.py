"""Tests for zkpot_ref/chain.py: the untouched chain verifies; each kind of tampering is
named — block, transaction, signature, proof, public input, stored model, certificate."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from zkpot_ref import cli
from zkpot_ref.chain import LOG, STORE, Genesis, verify_chain
from zkpot_ref.ledger.block import Block
from zkpot_ref.ledger.log import BlockLog, replay
from zkpot_ref.ledger.merkle import merkle_root
from zkpot_ref.ledger.store import BlobStore


def blocks(directory: Path) -> list[Block]:
    return [Block.decode(r) for r in replay(directory / LOG)]


def rewrite(directory: Path, records: list[bytes]) -> None:
    """Write a new, well-framed log: damage a validator would not catch by checksums."""
    (directory / LOG).unlink()
    with BlockLog(directory / LOG) as log:
        for record in records:
            log.append(record)


def problem_after(directory: Path, new_blocks: list[Block]) -> str:
    rewrite(directory, [b.encode() for b in new_blocks])
    problem = verify_chain(directory).problem
    assert problem is not None
    return problem


def test_the_untouched_chain_verifies_and_the_command_says_so(chain_run, capsys) -> None:  # noqa: ANN001
    assert verify_chain(chain_run[0]).problem is None
    assert cli.main(["chain", "verify", str(chain_run[0])]) == 0
    assert capsys.readouterr().out.startswith("chain verified: 2 blocks, 2 rounds")


def test_an_altered_block_is_named(chain_copy: Path) -> None:
    first, second = blocks(chain_copy)
    problem = problem_after(chain_copy, [replace(first, round=7), second])
    assert problem.startswith("height 1:") and "is for round 1, not 7" in problem
    changed = replace(second, next_model_cid=first.next_model_cid)
    problem = problem_after(chain_copy, [first, changed])
    assert problem.startswith("height 2:") and "is not the aggregate" in problem


def test_deleted_and_reordered_blocks_are_named(chain_copy: Path) -> None:
    first, second = blocks(chain_copy)
    assert "height 2, expected 1" in problem_after(chain_copy, [second])
    assert "height 2, expected 1" in problem_after(chain_copy, [second, first])


def with_submissions(block: Block, txs: tuple) -> Block:
    """The block with other submissions and a matching Merkle root (a careful forger)."""
    return replace(block, submissions=txs,
                   submissions_root=merkle_root([t.encode() for t in txs]))


def test_an_altered_transaction_or_signature_is_named(chain_copy: Path) -> None:
    first, second = blocks(chain_copy)
    tx = first.submissions[0]
    changed = replace(tx, correct_count=tx.correct_count + 1)  # keeps the old signature
    unrooted = replace(first, submissions=(changed, *first.submissions[1:]))
    problem = problem_after(chain_copy, [unrooted, second])
    assert problem.startswith("height 1:") and "submissions_root" in problem
    block = with_submissions(first, (changed, *first.submissions[1:]))
    problem = problem_after(chain_copy, [block, second])
    assert problem.startswith("height 1:") and "invalid signature" in problem
    sig = bytearray(tx.signature)
    sig[5] ^= 1
    block = with_submissions(first, (replace(tx, signature=bytes(sig)), *first.submissions[1:]))
    problem = problem_after(chain_copy, [block, second])
    assert problem.startswith("height 1:") and "invalid signature" in problem


def test_a_re_signed_false_public_input_fails_its_proof(chain_copy: Path, chain_run) -> None:  # noqa: ANN001
    """An attacker with the client's key re-signs a higher count: the signature holds, the
    proof does not (the count is a public input)."""
    from zkpot_ref.round import _key

    first, second = blocks(chain_copy)
    tx = first.submissions[0]
    secret = next(s for s, p in (_key(0, "client", i) for i in range(3)) if p == tx.client)
    forged = replace(tx, correct_count=tx.correct_count + 1, signature=b"").signed(secret)
    block = with_submissions(first, (forged, *first.submissions[1:]))
    problem = problem_after(chain_copy, [block, second])
    assert problem.startswith("height 1:") and "proof does not verify" in problem


def test_an_altered_proof_or_stored_model_is_named(chain_copy: Path) -> None:
    store = BlobStore(chain_copy / STORE)
    first, _ = blocks(chain_copy)
    proof_path = store.path_of(first.submissions[0].proof_cid)
    data = bytearray(proof_path.read_bytes())
    data[100] ^= 1
    proof_path.write_bytes(bytes(data))
    problem = verify_chain(chain_copy).problem
    assert problem.startswith("height 1:") and "corrupted" in problem
    proof_path.write_bytes(bytes(data[:100]) + bytes([data[100] ^ 1]) + bytes(data[101:]))
    assert verify_chain(chain_copy).problem is None
    model_path = store.path_of(first.leader_model_cid)
    model_path.write_bytes(model_path.read_bytes()[:-1])
    problem = verify_chain(chain_copy).problem
    assert problem.startswith("height 1:") and "corrupted" in problem
    model_path.unlink()
    assert "not in the store" in verify_chain(chain_copy).problem


def test_an_altered_or_thinned_certificate_is_named(chain_copy: Path) -> None:
    first, second = blocks(chain_copy)
    key, sig = first.certificate[0]
    bad = (key, bytes([sig[0] ^ 1]) + sig[1:])
    thinned = replace(first, certificate=first.certificate[:2])  # 2 of 4 < 2f + 1 = 3
    forged = replace(first, certificate=(bad, *first.certificate[1:2]))
    for block in (thinned, forged):
        problem = problem_after(chain_copy, [block, second])
        assert problem.startswith("height 1: certificate")


def test_damage_to_the_log_and_genesis_is_named(chain_copy: Path, capsys) -> None:  # noqa: ANN001
    data = bytearray((chain_copy / LOG).read_bytes())
    data[len(data) // 3] ^= 1
    (chain_copy / LOG).write_bytes(bytes(data))
    assert verify_chain(chain_copy).problem is not None
    genesis = json.loads((chain_copy / "genesis.json").read_text())
    genesis["f"] = 5
    (chain_copy / "genesis.json").write_text(json.dumps(genesis))
    assert verify_chain(chain_copy).problem.startswith("genesis:")
    assert cli.main(["chain", "verify", str(chain_copy)]) == 1
    assert capsys.readouterr().out.startswith("chain INVALID: genesis:")
    assert cli.main(["chain", "verify", str(chain_copy / "nope")]) == 2


def test_genesis_round_trip() -> None:
    g = Genesis("a", "b", (bytes(32), bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32), 1, "c")
    assert Genesis.from_json(g.to_json()) == g
    with pytest.raises(Exception, match="n >= 3f"):
        Genesis.from_json(replace(g, f=2).to_json())
