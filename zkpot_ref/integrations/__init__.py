"""Bridges from ZKPoT to outside frameworks (optional extras; ``zkpot_ref`` never imports them).

- ``flower.py``: proof-gated aggregation for Flower (``pip install -e '.[flower]'``).
"""
