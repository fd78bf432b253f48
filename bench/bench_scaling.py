"""Scaling with worker processes: pages/s at 1, 2, ... N pool processes, against linear.

Usage: ``.venv/bin/python bench/bench_scaling.py [--max N] [--copies 2] [--no-report]``

For each N from 1 to ``--max`` (default: the number of CPUs), a fresh embedded Redis and one
real Celery worker process with ``-c N`` (both queues) run a warm-up batch (20 pages, not
counted), then the whole corpus (the devdata pages x ``--copies``, each copy unique) is
submitted at once, which saturates the pool. pages/s runs from the first submit to the last
stream entry. efficiency = pages/s at N / (N x pages/s at 1). On a bigger machine, pass
``--max`` (and more ``--copies``, so each level runs for a while).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from _harness import (
    Pipeline,
    command_line,
    entry_time,
    outcome_counts,
    report,
    table,
    temp_corpus,
    tree_cpu,
    write_corpus,
)


def level(n: int, paths: list[Path], warmup: list[Path]) -> dict[str, float]:
    with Pipeline(concurrency=n) as pipe:
        pipe.warm_up(warmup)
        jobs = pipe.jobs(paths)
        c0 = tree_cpu(pipe.worker_pid)
        t0 = time.time()
        pipe.submit(jobs)
        outcomes = pipe.wait([j.job_id for j in jobs])
        cpu = tree_cpu(pipe.worker_pid) - c0
    wall = max(entry_time(o) for o in outcomes.values()) - t0
    records, dead = outcome_counts(outcomes)
    return {"pages_s": len(paths) / wall, "wall": wall, "cpu_page": cpu / len(paths),
            "records": records, "dead": dead}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max", type=int, default=os.cpu_count() or 1, help="largest N")
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()

    results: dict[int, dict[str, float]] = {}
    with temp_corpus() as tmp:
        paths = write_corpus(tmp / "pages", args.copies, limit=args.limit)
        warmup = write_corpus(tmp / "warmup", 1, limit=20, tag="w")
        for n in range(1, args.max + 1):
            results[n] = level(n, paths, warmup)
            print(f"-c {n}: {results[n]['pages_s']:.1f} pages/s")

    one = results[1]["pages_s"]
    rows: list[list[object]] = [["pool processes", "pages/s", "speed-up", "efficiency",
                                 "worker CPU ms/page", "wall s", "records / dead"]]
    for n, r in results.items():
        rows.append([n, f"{r['pages_s']:.1f}", f"{r['pages_s'] / one:.2f}x",
                     f"{r['pages_s'] / (n * one):.0%}", f"{r['cpu_page'] * 1000:.1f}",
                     f"{r['wall']:.1f}", f"{r['records']:.0f} / {r['dead']:.0f}"])
    body = (f"{len(paths)} pages per level (devdata x {args.copies}, copies unique), submitted "
            "at once (saturation); one `celery worker -Q ingest,normalize -c N` per level, "
            f"fresh Redis each, relate on. Machine has {os.cpu_count()} CPUs; Redis and the "
            "submitter share them.\n\n" + table(rows))
    report("Scaling with pool processes", command_line(), body, print_only=args.no_report)


if __name__ == "__main__":
    main()
