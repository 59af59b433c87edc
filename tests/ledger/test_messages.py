"""zkpot_ref/ledger/messages.py: canonical, strict encoding of the consensus messages."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import messages
from zkpot_ref.ledger.messages import (
    MAX_MESSAGE_BYTES,
    Kind,
    Message,
    Step,
    Timeouts,
    Validators,
    decode,
    encode,
    signing_bytes,
    vote_signing_bytes,
)

SIG = bytes(range(64))
VID = bytes(range(32))

EXAMPLES = [
    Message(Kind.PROPOSAL, 7, 3, 1, value=b"a block", valid_round=1, signature=SIG),
    Message(Kind.PROPOSAL, 1, 0, 0, value=b"", valid_round=-1, signature=SIG),
    Message(Kind.PREVOTE, 2, 5, 3, value_id=VID, signature=SIG),
    Message(Kind.PREVOTE, 2, 5, 3, value_id=None, signature=SIG),
    Message(Kind.PRECOMMIT, 9, 0, 2, value_id=VID, signature=SIG),
    Message(Kind.STATUS, 4, 0, 1),
    Message(Kind.COMMIT, 3, 2, 0, value=b"block", certificate=((0, SIG), (2, SIG))),
    Message(Kind.SEAL, 3, 0, 2, signature=SIG),
]


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: m.kind.name)
def test_encode_decode_round_trip(message: Message) -> None:
    data = encode(message)
    assert data[0] == messages.VERSION
    assert decode(data) == message
    assert encode(decode(data)) == data


@settings(max_examples=40, deadline=None)
@given(
    height=st.integers(0, 2**64 - 1),
    round_=st.integers(1, 2**32 - 2),
    sender=st.integers(0, 2**16 - 1),
    value=st.binary(max_size=64),
    has_id=st.booleans(),
)
def test_round_trip_property(height: int, round_: int, sender: int, value: bytes,
                             has_id: bool) -> None:  # fmt: skip
    vote = Message(Kind.PRECOMMIT, height, round_, sender, value_id=VID if has_id else None,
                   signature=SIG)  # fmt: skip
    proposal = Message(Kind.PROPOSAL, height, round_, sender, value=value,
                       valid_round=round_ - 1, signature=SIG)  # fmt: skip
    assert decode(encode(vote)) == vote
    assert decode(encode(proposal)) == proposal


def _broken(data: bytes, offset: int, byte: int) -> bytes:
    return data[:offset] + bytes([byte]) + data[offset + 1 :]


def test_decode_rejects_every_deviation() -> None:
    vote = encode(EXAMPLES[2])
    proposal = encode(EXAMPLES[0])
    commit = encode(EXAMPLES[-2])
    bad = {
        "empty": b"",
        "short header": vote[:10],
        "version": _broken(vote, 0, 2),
        "kind": _broken(vote, 1, 99),
        "vote flag": _broken(vote, 16, 2),
        "truncated signature": vote[:-1],
        "trailing byte": vote + b"\x00",
        "proposal length past the end": proposal[:20] + struct.pack(">I", 10**6) + proposal[24:],
        "valid round not below round": _broken(proposal, 19, 4),  # vr+1 = 4: vr 3 = round
        "unsorted certificate": commit[:-132] + commit[-66:] + commit[-132:-66],
        "duplicate certificate entry": commit[:-66] + commit[-132:-66],
        "oversized": b"\x01" * (MAX_MESSAGE_BYTES + 1),
        "short seal": encode(EXAMPLES[-1])[:-1],
    }
    for name, data in bad.items():
        with pytest.raises(MalformedInput):
            print(name)
            decode(data)
    with pytest.raises(MalformedInput):
        decode("not bytes")  # type: ignore[arg-type]


def test_signing_bytes_bind_kind_height_round_and_value() -> None:
    base = vote_signing_bytes(Kind.PRECOMMIT, 5, 2, VID)
    assert base.startswith(messages.SIGNING_DOMAIN)
    others = {
        vote_signing_bytes(Kind.PREVOTE, 5, 2, VID),
        vote_signing_bytes(Kind.PRECOMMIT, 6, 2, VID),
        vote_signing_bytes(Kind.PRECOMMIT, 5, 3, VID),  # the round: see the module docstring
        vote_signing_bytes(Kind.PRECOMMIT, 5, 2, None),
        vote_signing_bytes(Kind.PRECOMMIT, 5, 2, bytes(32)),
    }
    assert base not in others and len(others) == 5
    proposal = EXAMPLES[0]
    assert signing_bytes(proposal, VID) == vote_signing_bytes(Kind.PROPOSAL, 7, 3, VID, 1)
    assert signing_bytes(proposal, VID) != vote_signing_bytes(Kind.PROPOSAL, 7, 3, VID, 0)
    assert signing_bytes(EXAMPLES[2]) == vote_signing_bytes(Kind.PREVOTE, 2, 5, VID)


def test_validators_quorum_intersects_in_a_correct_validator() -> None:
    for n in range(1, 20):
        v = Validators(tuple(bytes([i]) * 32 for i in range(n)))
        assert v.n == n and 3 * v.f + 1 <= n
        # two quorums overlap in more than f validators: at least one is correct
        assert 2 * v.quorum - n > v.f
        assert v.quorum <= n - v.f  # and the correct ones alone form a quorum (liveness)
    four = Validators(tuple(bytes([i]) * 32 for i in range(4)))
    assert (four.f, four.quorum) == (1, 3)


def test_timeouts_grow_with_the_round() -> None:
    t = Timeouts(propose=1.0, prevote=2.0, precommit=3.0, delta=0.5)
    assert t.duration(Step.PROPOSE, 0) == 1.0
    assert t.duration(Step.PREVOTE, 2) == 3.0
    assert t.duration(Step.PRECOMMIT, 4) == 5.0
    assert Step.PROPOSE < Step.PREVOTE < Step.PRECOMMIT
    assert Message(Kind.STATUS, 1, 0, 0).signed is False
    assert Message(Kind.PREVOTE, 1, 0, 0).signed is True
