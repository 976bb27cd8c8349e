"""Seeded generators of evaluation corpora (no real personal data)."""
