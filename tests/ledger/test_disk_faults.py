"""Disk faults (the fault suite, docs/ledger_faults.md): a damaged block log is either
refused with one clear error or — only for an incomplete final record — repaired by
cutting that record, and what is loaded is verified again before the node acts on it.

The log under test is real: node 0's ``BlockLog`` from a simulated run of four replicas
(blocks with certificates, lock states, seals), written through fsync like a node's.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest

from zkpot_ref.errors import StoreError
from zkpot_ref.ledger import messages
from zkpot_ref.ledger.app import ZkpotApp
from zkpot_ref.ledger.block import Block
from zkpot_ref.ledger.log import FRAME_BYTES, HEADER_BYTES, BlockLog
from zkpot_ref.ledger.messages import Kind, Validators
from zkpot_ref.ledger.recovery import (
    BLOCK_RECORD,
    LOCK_RECORD,
    SEAL_RECORD,
    decode_lock_state,
    encode_lock_state,
    restore,
)
from zkpot_ref.ledger.replica import Replica
from zkpot_ref.ledger.simulator import Scenario, Simulation, memo_sign, validator_keys

KEYS = validator_keys(4)
VALIDATORS = Validators(tuple(public for _, public in KEYS))
HEIGHTS = 6


@pytest.fixture(scope="module")
def real_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, list[bytes]]:
    """(file bytes, records) of node 0's real block log after a fault-free run."""
    directory = tmp_path_factory.mktemp("real-log")
    logs: dict[int, BlockLog] = {}

    def real(i: int) -> BlockLog:
        logs[i] = BlockLog(directory / f"node{i}.log")
        return logs[i]

    sim = Simulation(Scenario(seed=11), ZkpotApp, log_factory=real)
    assert sim.run(HEIGHTS).safety == []
    for log in logs.values():
        log.close()
    data = (directory / "node0.log").read_bytes()
    records = BlockLog(directory / "node0.log").records()
    assert {r[:1] for r in records} == {BLOCK_RECORD, LOCK_RECORD, SEAL_RECORD}
    return data, records


def starts(records: list[bytes]) -> list[int]:
    """The offset of every record, then the end of the last."""
    out = [HEADER_BYTES]
    for record in records:
        out.append(out[-1] + FRAME_BYTES + len(record))
    return out


def replica(log: BlockLog, validators: Validators = VALIDATORS) -> Replica:
    return Replica(index=0, secret=KEYS[0][0], validators=validators,
                   app=ZkpotApp(validators), log=log, sign=memo_sign)  # fmt: skip


def write_records(path: Path, records: list[bytes]) -> None:
    """A log holding ``records``, each with valid checksums (as a careful forger would)."""
    path.unlink(missing_ok=True)
    with BlockLog(path) as log:
        for record in records:
            log.append(record)


def sampled_flips(data: bytes, bounds: list[int], rng: random.Random) -> list[int]:
    """Bit positions: every bit of the header; in every record, one bit of each of its
    12 frame bytes and 4 payload bits (the last payload byte included)."""
    bits = list(range(HEADER_BYTES * 8))
    for start, end in zip(bounds, bounds[1:], strict=False):
        bits += [8 * byte + rng.randrange(8) for byte in range(start, start + FRAME_BYTES)]
        payload = range(start + FRAME_BYTES, end)
        if payload:
            picks = [rng.choice(payload) for _ in range(3)] + [end - 1]
            bits += [8 * byte + rng.randrange(8) for byte in picks]
    return bits


def test_every_sampled_bit_flip_is_refused_with_its_offset(real_log, tmp_path: Path) -> None:
    data, records = real_log
    bounds = starts(records)
    assert bounds[-1] == len(data)
    flips = sampled_flips(data, bounds, random.Random(16))
    assert len(flips) >= 200
    outcomes = {"refused": 0, "torn tail": 0}
    path = tmp_path / "flipped.log"
    for bit in flips:
        damaged = bytearray(data)
        damaged[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(bytes(damaged))
        byte = bit // 8
        record = max(i for i, start in enumerate(bounds) if start <= byte) if (
            byte >= HEADER_BYTES) else None  # fmt: skip
        try:
            log = BlockLog(path)
        except StoreError as error:
            outcomes["refused"] += 1
            text = str(error)
            assert "\n" not in text and "refusing to start" in text
            if record is None:  # the header: magic (bytes 0-7) or version (byte 8)
                assert re.search(r"at byte [08]\b", text), (bit, text)
            else:  # names the offset of the very record that was hit
                assert f"damaged at byte {bounds[record]}:" in text, (bit, text)
            assert path.read_bytes() == bytes(damaged)  # nothing changed
            continue
        # Accepted only as a torn tail: in the final record, and nothing else dropped.
        outcomes["torn tail"] += 1
        assert record == len(records) - 1, bit
        assert log.records() == records[:-1] and path.stat().st_size == bounds[-2]
        log.close()
    print(f"\n{len(flips)} single-bit flips over a {len(data)}-byte log of "
          f"{len(records)} records: {outcomes}")
    assert outcomes["refused"] + outcomes["torn tail"] == len(flips)


def test_truncation_drops_at_most_the_final_record(real_log, tmp_path: Path) -> None:
    data, records = real_log
    bounds = starts(records)
    rng = random.Random(7)
    cuts = sorted({*bounds[1:], *(rng.randrange(HEADER_BYTES, len(data)) for _ in range(40))})
    path = tmp_path / "cut.log"
    for cut in cuts:
        path.write_bytes(data[:cut])
        complete = sum(1 for end in bounds[1:] if end <= cut)
        with BlockLog(path) as log:
            assert log.records() == records[:complete]
            assert log.truncated_bytes == cut - bounds[complete]  # only the torn record
            again = replica(log)
            again.start()  # what is left still verifies
            kept = [r for r in records[:complete] if r[:1] == BLOCK_RECORD]
            assert len(again.chain) == len(kept)
    for cut in range(HEADER_BYTES):  # inside the header: not a log any more
        path.write_bytes(data[:cut])
        with pytest.raises(StoreError):
            BlockLog(path)


def _blocks(records: list[bytes]) -> list[int]:
    return [i for i, r in enumerate(records) if r[:1] == BLOCK_RECORD]


def test_a_tampered_block_with_recomputed_checksums_is_refused(real_log, tmp_path) -> None:
    _, records = real_log
    path = tmp_path / "tampered.log"
    write_records(path, records)
    with BlockLog(path) as log:
        assert len(replica(log).start().sends) >= 0  # the honest log verifies
    where = _blocks(records)[2]  # height 3
    commit = messages.decode(records[where][1:])
    block = Block.decode(commit.value)
    forged_value = replace(block, next_model_cid=block.submissions[0].proof_cid).encode()
    cases = {
        "certificate has 0 valid precommits": replace(commit, value=forged_value),
        "certificate has 2 valid precommits": replace(commit,
                                                      certificate=commit.certificate[:2]),
    }  # fmt: skip
    for reason, forged in cases.items():
        tampered = list(records)
        tampered[where] = BLOCK_RECORD + messages.encode(forged)
        write_records(path, tampered)
        with BlockLog(path) as log, pytest.raises(StoreError, match=reason) as error:
            replica(log).start()
        assert f"record {where} (after 2 blocks) does not verify" in str(error.value)


def test_a_block_that_breaks_the_hash_chain_is_refused_despite_a_valid_certificate(
        real_log, tmp_path: Path) -> None:  # fmt: skip
    """With the validators' keys one can certify anything; replay still checks that each
    block extends the one before (``previous_hash``) and follows the ZKPoT rule."""
    _, records = real_log
    where = _blocks(records)[1]  # height 2
    commit = messages.decode(records[where][1:])
    block = Block.decode(commit.value)
    orphan = replace(block, previous_hash=bytes(32)).encode()
    app = ZkpotApp(VALIDATORS)
    signed = messages.vote_signing_bytes(Kind.PRECOMMIT, 2, commit.round, app.value_id(orphan))
    certificate = tuple((i, memo_sign(KEYS[i][0], signed)) for i in range(3))
    tampered = list(records)
    tampered[where] = BLOCK_RECORD + messages.encode(
        replace(commit, value=orphan, certificate=certificate))
    path = tmp_path / "orphan.log"
    write_records(path, tampered)
    with BlockLog(path) as log, pytest.raises(StoreError, match="height 2 is invalid"):
        replica(log).start()


def test_out_of_order_missing_and_foreign_records_are_refused(real_log, tmp_path) -> None:
    _, records = real_log
    blocks = _blocks(records)
    path = tmp_path / "other.log"
    swapped = list(records)
    swapped[blocks[1]], swapped[blocks[2]] = swapped[blocks[2]], swapped[blocks[1]]
    lock = decode_lock_state(next(r for r in records if r[:1] == LOCK_RECORD)[1:])
    seal = next(r for r in records if r[:1] == SEAL_RECORD)
    cases = {
        "not a commit for height 2": swapped,
        "for height 3": [r for i, r in enumerate(records) if i != blocks[2]],
        "lock state for height 9": [*records, LOCK_RECORD + encode_lock_state(
            replace(lock, height=9))],
        "does not verify": [*records, seal[:-1] + bytes([seal[-1] ^ 1])],
        "seal for height 99": [*records, SEAL_RECORD + (99).to_bytes(8, "big") + seal[9:]],
        "unknown record kind": [*records, b"X"],
        "does not parse": [*records, LOCK_RECORD + b"\x00"],
    }  # fmt: skip
    for reason, tampered in cases.items():
        write_records(path, tampered)
        with BlockLog(path) as log, pytest.raises(StoreError, match=reason):
            restore(log, VALIDATORS, ZkpotApp(VALIDATORS))


def test_a_log_of_another_validator_set_is_refused(real_log, tmp_path: Path) -> None:
    """What ``node --init --force`` without removing the logs would have led to: the old
    chain's certificates do not verify against the new keys."""
    _, records = real_log
    path = tmp_path / "old-chain.log"
    write_records(path, records)
    others = Validators(tuple(public for _, public in validator_keys(5)[1:]))
    with BlockLog(path) as log, pytest.raises(StoreError, match="valid precommits"):
        restore(log, others, ZkpotApp(others))


def test_a_damaged_final_lock_state_is_never_dropped_silently(real_log, tmp_path) -> None:
    """The last record may be a lock state that was fsynced and acted on (a vote left):
    a flipped bit in it is damage, not a torn write, so the node refuses to start rather
    than forget its lock and risk signing a conflicting vote."""
    _, records = real_log
    upto = max(i for i, r in enumerate(records) if r[:1] == LOCK_RECORD)
    path = tmp_path / "lock.log"
    write_records(path, records[: upto + 1])
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x10
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="the last record, but complete"):
        BlockLog(path)
    path.write_bytes(bytes(data[:-3]))  # but an incomplete one never left: it is cut
    with BlockLog(path) as log:
        assert log.records() == records[:upto]
