"""Attack labs: deliberately weakened verifiers beside the real ones (docs/labs.md).

Each lab module holds one weakened verifier — the real one with a single check removed —
and a function ``forge_*`` whose body is an exercise (a ``TASK 10.q`` region). The grading
test says: your forgery is accepted by the weak verifier and rejected by the real one.

The labs sit outside ``zkpot_ref`` on purpose: nothing in the reference may import them.
"""
