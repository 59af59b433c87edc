"""Ed25519 (zkpot_ref/ledger/signatures.py) against RFC 8032 and an independent implementation.

Outside references: the RFC 8032 section 7.1 test vectors (TEST 1, 2, 3, 1024, SHA(abc),
copied from the RFC text) and OpenSSL's Ed25519 through the ``cryptography`` package
(test-only dependency).
"""

from __future__ import annotations

import hashlib
import random

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from zkpot_ref.errors import MalformedInput
from zkpot_ref.ledger import signatures as ed
from zkpot_ref.ledger.edwards25519 import (
    IDENTITY,
    L,
    P,
    base_mult,
    point_add,
    point_decode,
    point_encode,
    point_equal,
)
from zkpot_ref.ledger.signatures import (
    clear_verify_memo,
    generate_keypair,
    public_key,
    sign,
    verify,
)

# RFC 8032, section 7.1 "Test Vectors for Ed25519": (secret, public, message, signature).
_MSG_1024 = (
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0"
)
RFC8032_VECTORS = [
    (  # TEST 1
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (  # TEST 2
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (  # TEST 3
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (  # TEST 1024
        "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        _MSG_1024,
        "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
        "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
    ),
    (  # TEST SHA(abc): the message is SHA-512("abc")
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
]


def _theirs(seed: bytes) -> tuple[Ed25519PrivateKey, bytes]:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return key, key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _openssl_accepts(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _sign_with_nonce(secret: bytes, message: bytes, r: int, r_bytes: bytes) -> bytes:
    """A signature with a chosen nonce r and a chosen encoding of R = [r]B (for attacks)."""
    a, _, public = ed._expand(secret)
    k = int.from_bytes(hashlib.sha512(r_bytes + public + message).digest(), "little") % L
    return r_bytes + ((r + k * a) % L).to_bytes(32, "little")


@pytest.mark.parametrize("secret, public, message, signature", RFC8032_VECTORS)
def test_rfc8032_vectors(secret: str, public: str, message: str, signature: str) -> None:
    sk, pk, msg, sig = (bytes.fromhex(x) for x in (secret, public, message, signature))
    assert public_key(sk) == pk
    assert generate_keypair(sk) == (sk, pk)
    assert sign(sk, msg) == sig
    clear_verify_memo()
    assert verify(pk, msg, sig)
    assert not verify(pk, msg + b"\x00", sig)


@settings(max_examples=25, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), message=st.binary(max_size=200))
def test_agrees_with_openssl(seed: bytes, message: bytes) -> None:
    their_key, their_public = _theirs(seed)
    assert public_key(seed) == their_public
    ours = sign(seed, message)
    assert ours == their_key.sign(message)  # deterministic: byte-identical
    assert _openssl_accepts(their_public, message, ours)
    assert verify(their_public, message, their_key.sign(message))


def test_random_keys_against_openssl_with_tampering() -> None:
    rng = random.Random(8032)
    for _ in range(10):
        secret, public = generate_keypair(rng.randbytes(32))
        message = rng.randbytes(rng.randrange(0, 100))
        signature = sign(secret, message)
        position = rng.randrange(64)
        bad = bytearray(signature)
        bad[position] ^= 1 << rng.randrange(8)
        bad = bytes(bad)
        assert verify(public, message, signature) is True
        assert verify(public, message, bad) == _openssl_accepts(public, message, bad) is False


def test_s_plus_l_is_rejected() -> None:
    secret, public = generate_keypair(bytes(range(32)))
    message = b"vote for block 7"
    signature = sign(secret, message)
    s = int.from_bytes(signature[32:], "little")
    malleated = signature[:32] + (s + L).to_bytes(32, "little")
    # The group equation still holds for S + L: only the canonical-S check refuses it.
    a, _, _ = ed._expand(secret)
    k = ed._challenge(signature[:32], public, message)
    r_point = point_decode(signature[:32])
    assert point_equal(base_mult(s + L), point_add(r_point, base_mult(k * a % L)))
    assert verify(public, message, signature)
    assert not verify(public, message, malleated)
    assert not _openssl_accepts(public, message, malleated)


def test_non_canonical_r_is_rejected() -> None:
    """R = identity (nonce r = 0) has three encodings; only the canonical one verifies."""
    secret, public = generate_keypair(bytes(32))
    message = b"m"
    canonical = (1).to_bytes(32, "little")  # y = 1, x = 0
    y_plus_p = (1 + P).to_bytes(32, "little")  # y >= p
    negative_zero = (1 | 1 << 255).to_bytes(32, "little")  # x = 0 with the sign bit set
    assert point_encode(IDENTITY) == canonical
    assert verify(public, message, _sign_with_nonce(secret, message, 0, canonical))
    for bad in (y_plus_p, negative_zero):
        signature = _sign_with_nonce(secret, message, 0, bad)
        assert not verify(public, message, signature)
        assert not _openssl_accepts(public, message, signature)


def test_point_decoding_rejections() -> None:
    assert point_decode((1 + P).to_bytes(32, "little")) is None
    assert point_decode((1 | 1 << 255).to_bytes(32, "little")) is None
    assert point_decode(b"\x01" * 31) is None
    off_curve = next(y for y in range(2, 100) if point_decode(y.to_bytes(32, "little")) is None)
    encoding = off_curve.to_bytes(32, "little")
    secret, public = generate_keypair(bytes([7]) * 32)
    assert not verify(encoding, b"x", sign(secret, b"x"))
    # a non-canonical public key (y + p) for a small y that *is* on the curve
    on_curve = next(y for y in range(2, 19) if point_decode(y.to_bytes(32, "little")))
    assert point_decode((on_curve + P).to_bytes(32, "little")) is None


@settings(max_examples=40, deadline=None)
@given(
    public=st.one_of(st.binary(max_size=40), st.none(), st.integers(), st.text(max_size=5)),
    message=st.one_of(st.binary(max_size=20), st.none(), st.text(max_size=5)),
    signature=st.one_of(st.binary(max_size=70), st.binary(min_size=64, max_size=64), st.none()),
)
def test_verify_never_raises_on_garbage(public: object, message: object, signature: object) -> None:
    assert verify(public, message, signature) is False  # type: ignore[arg-type]


def test_keys_and_bad_secrets() -> None:
    s1, p1 = generate_keypair()
    s2, p2 = generate_keypair()
    assert len(s1) == len(p1) == 32 and s1 != s2 and p1 != p2
    assert public_key(s1) == p1
    assert point_decode(p1) is not None
    for bad in (b"", b"\x00" * 31, b"\x00" * 33, "x" * 32, None):
        with pytest.raises(MalformedInput):
            public_key(bad)  # type: ignore[arg-type]
        with pytest.raises(MalformedInput):
            sign(bad, b"m")  # type: ignore[arg-type]
        if bad is not None:
            with pytest.raises(MalformedInput):
                generate_keypair(bad)  # type: ignore[arg-type]
    assert sign(bytearray(s1), bytearray(b"m")) == sign(s1, b"m")
    with pytest.raises(MalformedInput, match="not str"):
        sign(s1, "text")  # type: ignore[arg-type]


def test_both_verification_paths_agree() -> None:
    """The first COMB_AFTER_USES verifications under a key use Straus, later ones its comb."""
    secret, public = generate_keypair(b"\x42" * 32)
    clear_verify_memo()
    for i in range(ed.COMB_AFTER_USES + 4):
        message = b"vote %d" % i
        signature = sign(secret, message)
        tampered = signature[:40] + bytes([signature[40] ^ 1]) + signature[41:]
        assert verify(public, message, signature)
        assert not verify(public, message, tampered)
    assert ed._key_uses[public] > ed.COMB_AFTER_USES
    assert ed._key_comb_table.cache_info().currsize >= 1


def test_verify_memo_is_correct_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    secret, public = generate_keypair(b"\x05" * 32)
    monkeypatch.setattr(ed, "VERIFY_MEMO_SIZE", 3)
    clear_verify_memo()
    signature = sign(secret, b"a")
    assert verify(public, b"a", signature) and verify(public, b"a", signature)
    assert not verify(public, b"b", signature)  # a different message is a different entry
    for i in range(5):
        verify(public, bytes([i]), signature)
    assert len(ed._memo) == 3
    clear_verify_memo()
    assert len(ed._memo) == 0


def test_signature_and_key_lengths_are_exact() -> None:
    """A valid signature with trailing bytes is rejected: otherwise one signature would have
    many encodings (and a signed vote many ids). The same for a key with trailing bytes."""
    secret, public = generate_keypair(b"\x09" * 32)
    signature = sign(secret, b"vote")
    clear_verify_memo()
    assert verify(public, b"vote", signature)
    for extra in (b"\x00", b"\x00" * 32, signature):
        assert not verify(public, b"vote", signature + extra)
        assert not verify(public + extra, b"vote", signature)
    assert not verify(public, b"vote", signature[:63])
    assert not verify(public[:31], b"vote", signature)


def test_verify_memo_skips_the_work_and_evicts_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A memo hit does not verify again; when full, the least recently used entry goes."""
    secret, public = generate_keypair(b"\x06" * 32)
    calls: list[bytes] = []
    real = ed._verify_uncached

    def counting(public: bytes, message: bytes, signature: bytes) -> bool:
        calls.append(message)
        return real(public, message, signature)

    monkeypatch.setattr(ed, "_verify_uncached", counting)
    monkeypatch.setattr(ed, "VERIFY_MEMO_SIZE", 2)
    clear_verify_memo()
    signatures = {m: sign(secret, m) for m in (b"a", b"b", b"c")}
    for m in (b"a", b"a", b"b", b"c"):  # the second b"a" is a hit; b"c" evicts b"a"
        assert verify(public, m, signatures[m])
    assert calls == [b"a", b"b", b"c"]
    assert verify(public, b"b", signatures[b"b"]) and calls == [b"a", b"b", b"c"]
    assert verify(public, b"a", signatures[b"a"]) and calls[-1] == b"a"
    clear_verify_memo()
