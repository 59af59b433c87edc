"""Tests for zkpot_ref.gadgets (a package so test file names may repeat elsewhere)."""
