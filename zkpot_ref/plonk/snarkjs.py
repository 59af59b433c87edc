"""snarkjs interop: read and write ``verification_key.json``, ``proof.json``, ``public.json``.

Lesson. snarkjs (the circom ecosystem's prover) and zkpot implement the same PLONK
variant with the same transcript, so a proof made by one verifies in the other. This
module only translates representations (layouts from snarkjs 0.7.6, see
``../shared/vectors/snarkjs_plonk/README.md``):

- numbers are decimal strings; scalars must be < r and coordinates < p;
- a G1 point is ``["x", "y", "z"]`` in Jacobian coordinates (snarkjs writes z = "1";
  the identity is ``["0", "1", "0"]``);
- a G2 point is ``[["x_re", "x_im"], ["y_re", "y_im"], ["1", "0"]]`` — real part first,
  the *opposite* of the EIP-197 byte order.

``verify(vk, proof, public)`` takes the three parsed JSON files as they are. Malformed
JSON content raises MalformedInput; a well-formed proof that fails returns False.

Read next: ``../quant.py`` (part 5: the integer model a proof can check).
"""

from __future__ import annotations

from typing import Any

from zkpot_ref.curve import G1, G2, Fq2
from zkpot_ref.errors import MalformedInput
from zkpot_ref.field import P_MODULUS, R_MODULUS, Fr
from zkpot_ref.plonk import verifier
from zkpot_ref.plonk.preprocess import VerificationKey
from zkpot_ref.plonk.proof import POINT_FIELDS, SCALAR_FIELDS, Proof

_VK_POINTS = {"Qm": "Q_M", "Ql": "Q_L", "Qr": "Q_R", "Qo": "Q_O", "Qc": "Q_C",
              "S1": "S_1", "S2": "S_2", "S3": "S_3"}


def _number(text: Any, modulus: int, what: str) -> int:
    """A canonical decimal string below ``modulus``."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        raise MalformedInput(f"{what}: expected a decimal string, got {text!r:.40}")
    if len(text) > 1 and text[0] == "0":
        raise MalformedInput(f"{what}: leading zeros are not canonical")
    if len(text) > len(str(modulus)):  # also keeps int() below Python's 4300-digit limit
        raise MalformedInput(f"{what}: {len(text)} digits, more than any number below "
                             "the modulus")
    value = int(text)
    if value >= modulus:
        raise MalformedInput(f"{what}: {value} is not below the modulus")
    return value


def _triple(value: Any, what: str) -> list:
    if not isinstance(value, list) or len(value) != 3:
        raise MalformedInput(f"{what}: expected a list of 3 coordinates")
    return value


def g1_from_json(value: Any, what: str = "G1 point") -> G1:
    x, y, z = (_number(c, P_MODULUS, what) for c in _triple(value, what))
    if z == 0:
        if (x, y) != (0, 1):
            raise MalformedInput(f"{what}: the identity must be written [0, 1, 0]")
        return G1.identity()
    z_inv = pow(z, -1, P_MODULUS)
    return G1.from_affine(x * z_inv**2 % P_MODULUS, y * z_inv**3 % P_MODULUS)


def g2_from_json(value: Any, what: str = "G2 point") -> G2:
    coords = []
    for c in _triple(value, what):
        if not isinstance(c, list) or len(c) != 2:
            raise MalformedInput(f"{what}: expected [re, im] pairs")
        coords.append(Fq2(_number(c[0], P_MODULUS, what), _number(c[1], P_MODULUS, what)))
    x, y, z = coords
    if z == Fq2.zero():
        if (x, y) != (Fq2.zero(), Fq2.one()):
            raise MalformedInput(f"{what}: the identity must be written [[0,0],[1,0],[0,0]]")
        return G2.identity()
    z_inv = z.inverse()
    return G2.from_affine(x * z_inv * z_inv, y * z_inv * z_inv * z_inv)


def g1_to_json(point: G1) -> list[str]:
    affine = point.to_affine()
    if affine is None:
        return ["0", "1", "0"]
    return [str(int(affine[0])), str(int(affine[1])), "1"]


def g2_to_json(point: G2) -> list[list[str]]:
    affine = point.to_affine()
    if affine is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    x, y = affine
    return [[str(c) for c in x.to_tuple()], [str(c) for c in y.to_tuple()], ["1", "0"]]


def _field(data: Any, key: str, what: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise MalformedInput(f"{what}: missing field {key!r}")
    return data[key]


def vk_from_json(data: Any) -> VerificationKey:
    """Parse a snarkjs PLONK ``verification_key.json``."""
    what = "verification_key.json"
    if _field(data, "protocol", what) != "plonk" or _field(data, "curve", what) != "bn128":
        raise MalformedInput(f"{what}: only protocol 'plonk' on curve 'bn128' is supported")
    power, n_public = _field(data, "power", what), _field(data, "nPublic", what)
    if not isinstance(power, int) or not 0 < power <= Fr.TWO_ADICITY - 3:
        raise MalformedInput(f"{what}: bad power {power!r}")
    if not isinstance(n_public, int) or not 0 <= n_public <= 1 << power:  # as from_bytes
        raise MalformedInput(f"{what}: bad nPublic {n_public!r}")
    points = {ours: g1_from_json(_field(data, theirs, what), f"{what} {theirs}")
              for theirs, ours in _VK_POINTS.items()}
    vk = VerificationKey(
        power=power, num_public=n_public, X_2=g2_from_json(_field(data, "X_2", what)),
        k1=_number(_field(data, "k1", what), R_MODULUS, "k1"),
        k2=_number(_field(data, "k2", what), R_MODULUS, "k2"), **points,
    )
    if "w" in data and _number(data["w"], R_MODULUS, "w") != vk.omega:
        raise MalformedInput(f"{what}: w is not the 2^{power}-th root of unity we use")
    return vk


def vk_to_json(vk: VerificationKey) -> dict:
    """Export a verification key in snarkjs' format (snarkjs plonk verify reads it)."""
    if vk.has_lookups:
        raise MalformedInput("snarkjs' PLONK has no lookups: only vanilla keys export")
    out: dict[str, Any] = {"protocol": "plonk", "curve": "bn128", "nPublic": vk.num_public,
                           "power": vk.power, "k1": str(vk.k1), "k2": str(vk.k2)}
    for theirs, ours in _VK_POINTS.items():
        out[theirs] = g1_to_json(getattr(vk, ours))
    out["X_2"] = g2_to_json(vk.X_2)
    out["w"] = str(vk.omega)
    return out


def proof_from_json(data: Any) -> Proof:
    """Parse a snarkjs PLONK ``proof.json``."""
    what = "proof.json"
    if _field(data, "protocol", what) != "plonk":
        raise MalformedInput(f"{what}: protocol is not 'plonk'")
    points = [g1_from_json(_field(data, name, what), f"{what} {name}") for name in POINT_FIELDS]
    scalars = [_number(_field(data, name, what), R_MODULUS, f"{what} {name}")
               for name in SCALAR_FIELDS]
    return Proof(*points, *scalars)


def proof_to_json(proof: Proof) -> dict:
    if proof.has_lookups:
        raise MalformedInput("snarkjs' PLONK has no lookups: only vanilla proofs export")
    out: dict[str, Any] = {name: g1_to_json(getattr(proof, name)) for name in POINT_FIELDS}
    out.update({name: str(getattr(proof, name)) for name in SCALAR_FIELDS})
    out.update({"protocol": "plonk", "curve": "bn128"})
    return out


def public_from_json(data: Any) -> list[int]:
    if not isinstance(data, list):
        raise MalformedInput("public.json: expected a list of decimal strings")
    return [_number(v, R_MODULUS, f"public.json[{i}]") for i, v in enumerate(data)]


def public_to_json(values: list[int]) -> list[str]:
    return [str(v % R_MODULUS) for v in values]


def verify(vk: dict, proof: dict, public: list) -> bool:
    """Verify snarkjs-format JSON (parsed): True/False, or MalformedInput if malformed."""
    return verifier.verify(vk_from_json(vk), public_from_json(public), proof_from_json(proof))
