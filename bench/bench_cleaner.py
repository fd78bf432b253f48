"""Classifier throughput: MB/s of capture text on one core (median of several runs).

Runs clean_capture over the rendered devdata captures (tests/data/captures) and the seeds.
Language detection (once per page) is included.

Cold per-page work: the cleaner keeps no cross-page caches (no memo of normalized lines or
lexicon verdicts), so every repetition does the full work for every page. Only static data
loaded once per process is warm: stop lists, lexicon regexes, the py3langid model (the
warm-up pass loads them). The first timed pass is reported on its own as well.

Time is CPU time of this process (``time.process_time``), which other processes on a
shared machine disturb less than wall time; wall time is printed beside it.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.normalize.cleaner import clean_capture  # noqa: E402


def load() -> list[str]:
    files = sorted((ROOT / "tests" / "data" / "captures").glob("*.txt"))
    files += sorted((ROOT / "seeds").glob("*.txt"))
    return [f.read_text(encoding="utf-8") for f in files]


def main(reps: int = 7) -> int:
    texts = load()
    size = sum(len(t.encode("utf-8")) for t in texts)
    for t in texts[:20]:  # warm-up: imports, stop lists, regexes
        clean_capture(t)
    clean_capture("A sentence long enough for the language model to be loaded now, " * 3)
    rates, walls = [], []
    for _ in range(reps):
        t0, w0 = time.process_time(), time.perf_counter()
        for t in texts:
            clean_capture(t)
        rates.append(size / (time.process_time() - t0) / 1e6)
        walls.append(size / (time.perf_counter() - w0) / 1e6)
    print(
        f"{len(texts)} captures, {size / 1e6:.2f} MB; runs (MB/s, CPU): "
        + ", ".join(f"{r:.1f}" for r in rates)
    )
    print(f"first pass: {rates[0]:.1f} MB/s CPU, {walls[0]:.1f} MB/s wall")
    print(
        f"median throughput: {statistics.median(rates):.1f} MB/s CPU "
        f"({statistics.median(walls):.1f} MB/s wall), median of {reps}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 7))
