"""BN254 from scratch: the extension-field tower, G1/G2, the optimal ate pairing and MSM.

Part 2 of the course. The lessons, in order:

1. ``fq2.py``, ``fq6.py``, ``fq12.py`` — the tower Fq2 -> Fq6 -> Fq12;
2. ``points.py`` — the group law in Jacobian coordinates; ``g1.py``, ``g2.py`` — the groups;
3. ``final_exp.py`` — the final exponentiation; ``pairing.py`` — the Miller loop;
   ``pairing_simple.py`` — the same pairing, textbook style;
4. ``msm_batch_affine.py``, ``msm.py`` — multi-scalar multiplication (Pippenger), the
   prover's hot spot;
5. ``eip197.py`` — the Ethereum precompiles ECADD / ECMUL / ECPAIRING on raw bytes.
"""

from zkpot_ref.curve.fq2 import Fq2
from zkpot_ref.curve.fq6 import Fq6
from zkpot_ref.curve.fq12 import Fq12
from zkpot_ref.curve.g1 import G1
from zkpot_ref.curve.g2 import G2
from zkpot_ref.curve.msm import msm, msm_naive
from zkpot_ref.curve.pairing import miller_loop, multi_pairing, pairing, pairing_check

__all__ = [
    "Fq2",
    "Fq6",
    "Fq12",
    "G1",
    "G2",
    "miller_loop",
    "msm",
    "msm_naive",
    "multi_pairing",
    "pairing",
    "pairing_check",
]
