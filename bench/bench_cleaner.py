"""Cleaner and classifier throughput: MB/s of capture text on one core (medians).

Runs clean_capture over the rendered devdata captures (tests/data/captures) and the seeds:
first whole (language detection, once per page, included), then timed by stage.

Cold per-page work: the cleaner keeps no cross-page caches (no memo of normalized lines or
lexicon verdicts), so every repetition does the full work for every page. Only static data
loaded once per process is warm: stop lists, lexicon regexes, the py3langid model (the
warm-up pass loads them). The first timed pass is reported on its own as well.

Time is CPU time of this process (``time.process_time``), which other processes on a
shared machine disturb less than wall time; wall time is printed beside it.

The stage split takes as many passes again (median per stage), wrapping the functions
``run_capture`` calls: splitting into lines, language detection, the classifier proper
(evidence, main region, smoothing, closing line: the figure the 20 MB/s target is about),
the headline (with standfirst and author box), and the rest (the audit trail's removals,
the record of kept lines). ``--no-stages`` leaves it out.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.normalize.cleaner import classify, clean_capture, pipeline  # noqa: E402

# (module, function name, stage): what run_capture calls, looked up where it looks them up.
STAGES = (
    (pipeline, "page_from_text", "split into lines"),
    (pipeline, "detect_language", "language"),
    (classify, "evidence", "classifier"),
    (classify, "main_region", "classifier"),
    (classify, "smooth", "classifier"),
    (classify, "closing_line", "classifier"),
    (pipeline, "find_headline", "headline"),
    (classify, "standfirst", "headline"),
    (classify, "author_bio", "headline"),
)


def load() -> list[str]:
    files = sorted((ROOT / "tests" / "data" / "captures").glob("*.txt"))
    files += sorted((ROOT / "seeds").glob("*.txt"))
    return [f.read_text(encoding="utf-8") for f in files]


def stages(texts: list[str], size: int, reps: int) -> None:
    """``reps`` passes timed by stage (CPU), median per stage; what no wrapper covers is
    "the rest"."""
    spent: dict[str, float] = defaultdict(float)
    runs: dict[str, list[float]] = defaultdict(list)

    def timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - t0
        return wrapper

    saved = [(module, name, getattr(module, name)) for module, name, _ in STAGES]
    for module, name, stage in STAGES:
        setattr(module, name, timed(stage, getattr(module, name)))
    try:
        for _ in range(reps):
            spent.clear()
            t0 = time.process_time()
            for t in texts:
                clean_capture(t)
            total = time.process_time() - t0
            spent["the rest"] = total - sum(spent.values())
            for stage, t in spent.items():
                runs[stage].append(t)
            runs["total"].append(total)
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)
    total = statistics.median(runs["total"])
    print(f"by stage, median of {reps} passes ({size / 1e6:.2f} MB, {total * 1000:.0f} ms CPU):")
    for stage in ("split into lines", "language", "classifier", "headline", "the rest"):
        t = statistics.median(runs[stage])
        rate = size / t / 1e6 if t > 0 else float("inf")
        print(f"  {stage:17s} {t * 1000:6.0f} ms  {rate:6.1f} MB/s")


def main(reps: int = 7, by_stage: bool = True) -> int:
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
    if by_stage:
        stages(texts, size, reps)
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("reps", nargs="?", type=int, default=7)
    ap.add_argument("--no-stages", action="store_true", help="the whole cleaner only")
    args = ap.parse_args()
    raise SystemExit(main(args.reps, not args.no_stages))
