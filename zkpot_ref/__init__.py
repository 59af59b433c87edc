"""zkpot reference implementation."""
