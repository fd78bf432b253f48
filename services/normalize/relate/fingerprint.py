"""Text fingerprints: the normalized-text hash, word shingles and a fixed-seed MinHash.

Signatures are stored compactly: the low 16 bits of each permutation's minimum, base64
encoded (128 permutations -> 344 characters). Matching 16-bit values estimate the Jaccard
similarity with a bias of at most 1/65536, far below the estimator's own noise.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from services.normalize.build import normalized_text

MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"  # datasketch >= 2.0; stored signatures depend on it
_WORD = re.compile(r"\w+")


def text_hash(text: str) -> str:
    """sha256 of the normalized text: the same value as ``ArticleRecord.content_hash``."""
    return hashlib.sha256(normalized_text(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = 5) -> set[str]:
    """Word ``size``-shingles of the normalized text (one shingle for shorter texts)."""
    words = _WORD.findall(normalized_text(text))
    if not words:
        return set()
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    m = MinHash(num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME)
    a, b = m.permutations
    return a, b


def minhash(text: str, *, num_perm: int = 128, shingle_size: int = 5) -> np.ndarray:
    """The MinHash signature (uint64 array of ``num_perm`` 32-bit values) of a text."""
    m = MinHash(num_perm=num_perm, seed=MINHASH_SEED, permutations=_permutations(num_perm),
                scheme=MINHASH_SCHEME)
    grams = shingles(text, shingle_size)  # a minimum does not depend on the order
    if grams:
        m.update_batch([g.encode("utf-8") for g in grams])
    return np.asarray(m.hashvalues, dtype=np.uint64)


def pack(signature: np.ndarray) -> str:
    """The compact stored form: low 16 bits of each value, little-endian, base64."""
    low = (signature & np.uint64(0xFFFF)).astype("<u2")
    return base64.b64encode(low.tobytes()).decode("ascii")


def unpack(packed: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed), dtype="<u2").astype(np.uint16)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures of the same length and form."""
    if len(a) != len(b) or len(a) == 0:
        return 0.0
    return float(np.count_nonzero(a == b)) / len(a)


def band_buckets(signature: np.ndarray, bands: int, rows: int) -> list[str]:
    """One bucket hash per LSH band (16 hex digits of blake2b over the band's values)."""
    if bands * rows > len(signature):
        raise ValueError(f"{bands} bands x {rows} rows need more than {len(signature)} values")
    out = []
    for band in range(bands):
        part = signature[band * rows : (band + 1) * rows].astype("<u4").tobytes()
        out.append(hashlib.blake2b(part, digest_size=8).hexdigest())
    return out
