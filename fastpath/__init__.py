"""JAX fast path (filled by a later issue)."""
