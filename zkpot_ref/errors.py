"""One exception family for the whole project.

Lesson. Every error zkpot raises on purpose is a :class:`ZkpotError`, so a caller
(a validator, the command line, a test) can catch exactly "zkpot refused this" and
nothing else. The subclasses say *why*:

- :class:`MalformedInput` — bytes or values that do not decode to a valid object
  (wrong length, a field element >= the modulus, a point off the curve, ...).
- :class:`InvalidProof` — well-formed input that fails a cryptographic check. Verifiers
  usually *return* ``False`` instead; this is for places where an exception reads better.
- :class:`SetupError` — a structured reference string, ceremony or key that cannot be used.
- :class:`CircuitError` — a circuit or witness that does not satisfy its constraints.
- :class:`StoreError` — content-addressed storage: missing or corrupted blobs.
- :class:`ConsensusError` — invalid blocks, transactions or votes in the ledger.

Messages say what was wrong and, where possible, what to do about it. The command line
prints ``error: <message>`` for any :class:`ZkpotError` and exits with status 2, never a
traceback.

Read next: ``field.py``.
"""


class ZkpotError(Exception):
    """Base class of every error zkpot raises deliberately."""


class MalformedInput(ZkpotError, ValueError):
    """Input that does not decode to a valid object (length, range, curve membership)."""


class InvalidProof(ZkpotError):
    """A proof, opening or signature that is well formed but does not verify."""


class SetupError(ZkpotError):
    """A reference string, ceremony transcript or key that cannot be used."""


class CircuitError(ZkpotError):
    """A circuit or witness that violates its constraints (the message names the gate)."""


class StoreError(ZkpotError):
    """Content-addressed storage failed: a blob is missing or its bytes do not match its id."""


class ConsensusError(ZkpotError):
    """The ledger refused a block, transaction or vote."""
