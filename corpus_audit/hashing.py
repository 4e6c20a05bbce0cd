"""Stable per-document random numbers: the same id and seed give the same draw on any machine.

Sampling (--sample) and export decisions hash the document id instead of calling a
random generator, so results never depend on worker count or shard order.
"""
import hashlib

_SCALE = float(2**64)


def unit_hash(key: str, seed: int = 0, salt: str = "") -> float:
    """A number in [0, 1) that is uniform over keys and fixed for (key, seed, salt)."""
    digest = hashlib.blake2b(f"{seed}\x1f{salt}\x1f{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE
