"""Throughput and CPU cost per page, end to end, side by side with bare trafilatura.

Usage: ``.venv/bin/python bench/bench_throughput.py [--copies 2] [--concurrency N]
[--relate both|on|off] [--no-report]``

In one run, over the same files (the devdata pages, decompressed, repeated ``--copies`` times
under distinct names, each copy made unique by one sentence in its longest paragraph):

* bare trafilatura: read + ``decode_body`` + ``trafilatura.extract(text,
  include_comments=False, with_metadata=True)`` in a plain loop in this process; CPU is
  ``time.process_time()`` around the loop;
* pressline: submit every file (as ``pressline submit`` does) to a real Celery worker process
  (both queues, ``-c N``, N = CPUs by default) on a real Redis, and wait until every job has
  its record (or dead letter) on the stream. CPU = the worker's whole process tree (main
  process, pool children, reaped children) + this process's CPU while submitting; Redis's
  CPU is reported separately. Wall time runs from the first submit to the last stream entry.
  A warm-up batch (20 pages, not counted) runs first.

``--relate both`` measures pressline twice, with the relations step (fleet-wide duplicates,
stories) on and off (``PRESSLINE_RELATE_ENABLED=false``), each with a fresh Redis and worker.
ratio = bare CPU per page / pressline CPU per page: at least 1.0 means pressline spends no more.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import trafilatura
from _harness import (
    Pipeline,
    command_line,
    entry_time,
    outcome_counts,
    proc_cpu,
    report,
    table,
    temp_corpus,
    tree_cpu,
    write_corpus,
)

from pressline.stream import read_outcome
from services.ingest.decode import decode_body


def bare_trafilatura(paths: list[Path]) -> dict[str, float]:
    """The plain loop, timed (CPU and wall)."""
    cpu0, t0 = time.process_time(), time.perf_counter()
    extracted = 0
    for path in paths:
        text, _ = decode_body(path.read_bytes())
        out = trafilatura.extract(text, include_comments=False, with_metadata=True)
        extracted += bool(out)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    n = len(paths)
    return {"pages": n, "ok": extracted, "wall": wall, "cpu": cpu,
            "pages_s": n / wall, "cpu_page": cpu / n}


def pressline_run(paths: list[Path], warmup: list[Path], concurrency: int,
                  env: dict[str, str]) -> dict[str, float]:
    with Pipeline(concurrency=concurrency, env=env) as pipe:
        pipe.warm_up(warmup)
        jobs = pipe.jobs(paths)
        w0, r0 = tree_cpu(pipe.worker_pid), proc_cpu(pipe.redis_pid)
        s0 = time.process_time()
        t0 = time.time()
        submitted = pipe.submit(jobs)
        submit_cpu = time.process_time() - s0
        outcomes = pipe.wait([j.job_id for j in jobs])
        w1, r1 = tree_cpu(pipe.worker_pid), proc_cpu(pipe.redis_pid)
        end = max(entry_time(o) for o in outcomes.values())
        records, dead = outcome_counts(outcomes)
        dups = 0
        for o in outcomes.values():
            if o.kind == "record":
                fields = read_outcome(pipe.client, o) or {}
                dups += '"duplicate_of":"' in fields.get("record", "")
    n = len(paths)
    wall = end - t0
    worker_cpu = w1 - w0
    assert len(submitted) == n
    return {"pages": n, "records": records, "dead": dead, "dups": dups, "wall": wall,
            "pages_s": n / wall, "worker_cpu_page": worker_cpu / n,
            "submit_cpu_page": submit_cpu / n, "cpu_page": (worker_cpu + submit_cpu) / n,
            "redis_cpu_page": (r1 - r0) / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=2, help="repeat the corpus K times")
    ap.add_argument("--concurrency", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--relate", choices=("both", "on", "off"), default="both")
    ap.add_argument("--limit", type=int, default=None, help="only the first N devdata pages")
    ap.add_argument("--no-report", action="store_true", help="do not append to benchmarks.md")
    args = ap.parse_args()

    with temp_corpus() as tmp:
        paths = write_corpus(tmp / "pages", args.copies, limit=args.limit)
        warmup = write_corpus(tmp / "warmup", 1, limit=20, tag="w")
        print(f"{len(paths)} pages ({args.copies} x devdata), concurrency {args.concurrency}")
        bare = bare_trafilatura(paths)
        print(f"bare trafilatura: {bare['pages_s']:.1f} pages/s, "
              f"{bare['cpu_page'] * 1000:.1f} ms CPU/page")
        runs: dict[str, dict[str, float]] = {}
        modes = ["on", "off"] if args.relate == "both" else [args.relate]
        for mode in modes:
            env = {"PRESSLINE_RELATE_ENABLED": "true" if mode == "on" else "false"}
            runs[mode] = pressline_run(paths, warmup, args.concurrency, env)
            r = runs[mode]
            print(f"pressline (relate {mode}): {r['pages_s']:.1f} pages/s, "
                  f"{r['cpu_page'] * 1000:.1f} ms CPU/page")

    rows: list[list[object]] = [["", "pages/s", "CPU ms/page", "of which submit",
                                 "Redis CPU ms/page (apart)", "records / dead",
                                 "ratio bare/pressline CPU"]]
    rows.append([f"bare trafilatura (1 process, {bare['ok']:.0f} extracted)",
                 f"{bare['pages_s']:.1f}", f"{bare['cpu_page'] * 1000:.1f}", "-", "-", "-",
                 "1.00"])
    for mode, r in runs.items():
        rows.append([f"pressline, relate {mode} (-c {args.concurrency})", f"{r['pages_s']:.1f}",
                     f"{r['cpu_page'] * 1000:.1f}", f"{r['submit_cpu_page'] * 1000:.2f}",
                     f"{r['redis_cpu_page'] * 1000:.2f}",
                     f"{r['records']:.0f} / {r['dead']:.0f}",
                     f"{bare['cpu_page'] / r['cpu_page']:.2f}"])
    dup_note = "; ".join(f"relate {m}: {r['dups']:.0f} records marked exact duplicates"
                         for m, r in runs.items())
    body = (f"{len(paths)} pages: the {len(paths) // args.copies} devdata pages x "
            f"{args.copies} copies (copies made unique by one sentence; {dup_note}). "
            f"Worker: one `celery worker -Q ingest,normalize -c {args.concurrency}`, "
            "loglevel WARNING, 20 warm-up pages not counted.\n\n" + table(rows))
    report("Throughput and CPU per page", command_line(), body, print_only=args.no_report)


if __name__ == "__main__":
    main()
