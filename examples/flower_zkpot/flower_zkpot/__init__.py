"""ZKPoT with Flower: an example app (see README.md)."""
