"""The powers-of-tau ceremony (zkpot_ref/ceremony.py): honest runs verify, every tampering fails.

Outside reference: with the participants' secrets known (tests only), the final SRS must
equal ``SRS.insecure_from_tau`` of their product — tau = tau_1 * tau_2 * tau_3.
"""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from zkpot_ref.ceremony import (
    Ceremony,
    Contribution,
    check_ceremony,
    check_name,
    contribute,
    pok_challenge,
    start,
    transcript_digest,
    verify_ceremony,
)
from zkpot_ref.curve import G1, G2
from zkpot_ref.errors import MalformedInput, SetupError
from zkpot_ref.field import R_MODULUS as R
from zkpot_ref.kzg import SRS, commit, open_at, verify_opening, verify_srs

DEGREE = 4
SECRETS = (0xA11CE, 0xB0B, 0xCA201)
NAMES = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    c = start(DEGREE)
    steps: list[tuple[int, int]] = []
    for name, secret in zip(NAMES, SECRETS):
        c = contribute(c, name, secret=secret, progress=lambda *step: steps.append(step))
    assert steps[-1] == (DEGREE + 1, DEGREE + 1)
    return c


def test_three_participants_verify(ceremony: Ceremony) -> None:
    messages: list[str] = []
    check_ceremony(ceremony, messages.append)
    assert verify_ceremony(ceremony)
    assert any("multi-pairing" in m for m in messages)
    assert [c.name for c in ceremony.contributions] == list(NAMES)


def test_final_srs_is_the_product_of_the_secrets(ceremony: Ceremony) -> None:
    tau = SECRETS[0] * SECRETS[1] * SECRETS[2] % R
    assert ceremony.srs == SRS.insecure_from_tau(tau, DEGREE)
    assert verify_srs(ceremony.srs)
    f = [3, 1, 4, 1, 5]
    value, proof = open_at(ceremony.srs, f, 9)
    assert verify_opening(ceremony.srs, commit(ceremony.srs, f), 9, value, proof)


def test_random_secret_by_default() -> None:
    a, b = contribute(start(2), "a"), contribute(start(2), "a")
    assert a.srs.g2_tau != b.srs.g2_tau
    assert verify_ceremony(a)


def _tamper_point(point):
    return point + type(point).generator()


@pytest.mark.parametrize("index", range(DEGREE + 1))
def test_tampering_any_g1_power_fails(ceremony: Ceremony, index: int) -> None:
    powers = list(ceremony.srs.g1_powers)
    powers[index] = _tamper_point(powers[index])
    with pytest.raises(SetupError):
        check_ceremony(replace(ceremony, srs=replace(ceremony.srs, g1_powers=powers)))


@pytest.mark.parametrize("field", ["g2_one", "g2_tau"])
def test_tampering_g2_elements_fails(ceremony: Ceremony, field: str) -> None:
    srs = replace(ceremony.srs, **{field: _tamper_point(getattr(ceremony.srs, field))})
    assert not verify_ceremony(replace(ceremony, srs=srs))


def _tampered(contribution: Contribution, field: str) -> Contribution:
    old = getattr(contribution, field)
    if field == "name":
        new = old + "x"
    elif field == "pok_s":
        new = (old + 1) % R
    else:
        new = _tamper_point(old)
    return replace(contribution, **{field: new})


@pytest.mark.parametrize("number", range(len(NAMES)))
@pytest.mark.parametrize("field", [f.name for f in fields(Contribution)])
def test_tampering_any_contribution_field_fails(
    ceremony: Ceremony, number: int, field: str
) -> None:
    records = list(ceremony.contributions)
    records[number] = _tampered(records[number], field)
    with pytest.raises(SetupError):
        check_ceremony(replace(ceremony, contributions=tuple(records)))


def test_a_contribution_restarting_from_scratch_fails(ceremony: Ceremony) -> None:
    earlier = ceremony.contributions[:2]
    # Mallory builds on the generator-only SRS but binds her proof to the real transcript,
    # so the proof of knowledge is fine and only the update check can catch her.
    forged = contribute(Ceremony(start(DEGREE).srs, earlier), "mallory", secret=77)
    with pytest.raises(SetupError, match="batched pairing check"):
        check_ceremony(forged)
    # Splicing a contribution made for a fresh ceremony fails already at its proof.
    fresh = contribute(start(DEGREE), "mallory", secret=77)
    with pytest.raises(SetupError, match="proof of knowledge"):
        check_ceremony(Ceremony(fresh.srs, (*earlier, fresh.contributions[0])))


def test_reordering_dropping_and_copying_contributions_fails(ceremony: Ceremony) -> None:
    c = ceremony.contributions
    assert not verify_ceremony(replace(ceremony, contributions=(c[1], c[0], c[2])))
    assert not verify_ceremony(replace(ceremony, contributions=c[:2]))  # SRS is carol's
    stolen = replace(c[2], name="eve")  # someone else's proof under a new name
    with pytest.raises(SetupError, match="proof of knowledge"):
        check_ceremony(replace(ceremony, contributions=(*c[:2], stolen)))


def test_a_zero_secret_is_refused() -> None:
    with pytest.raises(MalformedInput):
        contribute(start(2), "zero", secret=R)
    for bad in ("7", 7.0, True):
        with pytest.raises(MalformedInput):
            contribute(start(2), "typo", secret=bad)  # type: ignore[arg-type]
    # hand-made record with tau_k = 0: all identities, a valid-looking Schnorr proof
    g1, o1, o2 = G1.generator(), G1.identity(), G2.identity()
    base = start(2)
    record = Contribution("zero", o1, o2, o1, o2, g1 * 5, 0)
    record = replace(record, pok_s=5)  # s = k + c * 0
    srs = SRS([g1, o1, o1], G2.generator(), o2)
    with pytest.raises(SetupError, match="identity"):
        check_ceremony(Ceremony(srs, (record,)))
    assert base.contributions == ()


def test_empty_and_structural_failures(ceremony: Ceremony) -> None:
    with pytest.raises(SetupError, match="no contributions"):
        check_ceremony(start(3))
    check_ceremony(start(3), allow_empty=True)
    not_start = replace(start(3).srs, g2_tau=G2.generator() * 2)
    with pytest.raises(SetupError):
        check_ceremony(Ceremony(not_start), allow_empty=True)
    with pytest.raises(SetupError, match="wrong type"):
        check_ceremony(replace(ceremony, contributions=(
            replace(ceremony.contributions[0], key_g1=G2.generator()),)))
    with pytest.raises(SetupError, match="curve"):
        check_ceremony(replace(ceremony, contributions=(
            replace(ceremony.contributions[0], key_g1=G1(1, 1, 1)),)))
    with pytest.raises(SetupError, match="Schnorr"):
        check_ceremony(replace(ceremony, contributions=(
            replace(ceremony.contributions[0], pok_s=R),)))
    with pytest.raises(SetupError):
        check_ceremony(replace(ceremony, contributions=("not a contribution",)))
    off_curve = list(ceremony.srs.g1_powers)
    off_curve[3] = G1(1, 1, 1)
    with pytest.raises(SetupError, match="not on the curve"):
        check_ceremony(replace(ceremony, srs=replace(ceremony.srs, g1_powers=off_curve)))
    with pytest.raises(SetupError, match="at least"):
        check_ceremony(replace(ceremony, srs=ceremony.srs.truncated(0)))


def test_start_and_names() -> None:
    c = start(3)
    assert c.degree == 3 and all(p == G1.generator() for p in c.srs.g1_powers)
    for bad in (0, -1, 2.0, 1 << 29):
        with pytest.raises(MalformedInput):
            start(bad)  # type: ignore[arg-type]
    assert check_name("Zoë") == "Zoë".encode()
    for bad in ("", "a\nb", "x" * 201, None, 5, b"bob"):  # truthy non-strings too
        with pytest.raises(MalformedInput):
            check_name(bad)  # type: ignore[arg-type]
        with pytest.raises(MalformedInput):
            contribute(c, bad)  # type: ignore[arg-type]


def test_proofs_are_bound_to_the_transcript(ceremony: Ceremony) -> None:
    c = ceremony.contributions
    d0 = transcript_digest(DEGREE, ())
    assert transcript_digest(DEGREE, c[:1]) != d0
    assert transcript_digest(DEGREE + 1, ()) != d0
    assert pok_challenge(d0, "alice", c[0]) != pok_challenge(d0, "alicf", c[0])
    assert pok_challenge(d0, "alice", c[0]) != pok_challenge(transcript_digest(DEGREE, c[:1]),
                                                            "alice", c[0])
    g1 = G1.generator()
    e = pok_challenge(d0, "alice", c[0])
    assert g1 * c[0].pok_s == c[0].pok_r + c[0].key_g1 * e
    assert c[0].key_g1 == g1 * SECRETS[0] and c[0].key_g2 == G2.generator() * SECRETS[0]


def test_each_srs_and_schnorr_refusal_names_its_check(ceremony: Ceremony) -> None:
    """Refusals that a later check would also catch still say which check failed."""
    from zkpot_ref.curve.fq2 import Fq2

    off_twist = G2(Fq2(1, 0), Fq2(1, 0), Fq2.one())
    with pytest.raises(SetupError, match="is not a point of G2"):
        check_ceremony(replace(ceremony, srs=replace(ceremony.srs, g2_tau=off_twist)))
    other_tau_2 = replace(ceremony.srs, g2_tau=ceremony.srs.g2_tau * 2)
    with pytest.raises(SetupError, match="not those of the last contribution"):
        check_ceremony(replace(ceremony, srs=other_tau_2))
    first = ceremony.contributions[0]
    with pytest.raises(SetupError, match="proof of knowledge of tau_k does not verify"):
        check_ceremony(replace(ceremony, contributions=(replace(first, pok_s=0),
                                                        *ceremony.contributions[1:])))
    with pytest.raises(SetupError, match="is not a Contribution"):
        check_ceremony(replace(ceremony, contributions=("not a contribution",)))
