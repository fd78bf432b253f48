"""Worker memory over many pages: RSS of each pool process after warm-up and at the end.

Usage: ``.venv/bin/python bench/bench_memory.py [--pages 10000] [--concurrency 2]
[--no-report]``

One real Celery worker (both queues, ``-c N``) with ``PRESSLINE_MAX_TASKS_PER_CHILD=0`` (no
recycling, so real growth shows) on an embedded Redis. The devdata pages are written as many
times as needed for ``--pages`` (each copy unique, so relate sees distinct texts) and fed
with at most ``--window`` jobs in flight. RSS of every pool process is sampled after
``--warmup`` pages (the baseline: imports, models and caches are loaded by then), every
``--every`` pages and at the end; growth = (end - baseline) / baseline. The same pool
processes must live through the run (checked). Redis's RSS is reported apart (it holds the
stream and the relations index, which grow by design).
"""

from __future__ import annotations

import argparse
import math
import time

import psutil
from _harness import (
    DEVDATA,
    Pipeline,
    command_line,
    outcome_counts,
    pool_children,
    report,
    rss_mib,
    table,
    temp_corpus,
    write_corpus,
)

from pressline.stream import Outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--every", type=int, default=1000)
    ap.add_argument("--window", type=int, default=200, help="most jobs in flight")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for the worker (repeatable)")
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()

    samples: list[tuple[int, float, list[float], float, float]] = []
    with temp_corpus() as tmp:
        n_dev = len(list(DEVDATA.glob("*.html.gz")))
        copies = math.ceil(args.pages / n_dev)
        t = time.monotonic()
        paths = write_corpus(tmp / "pages", copies)[: args.pages]
        print(f"{len(paths)} pages written in {time.monotonic() - t:.0f} s")
        env = {"PRESSLINE_MAX_TASKS_PER_CHILD": "0",
               **dict(e.split("=", 1) for e in args.env)}
        with Pipeline(concurrency=args.concurrency, env=env) as pipe:
            jobs = pipe.jobs(paths)
            redis_proc = psutil.Process(pipe.redis_pid)
            main_proc = psutil.Process(pipe.worker_pid)
            ended: dict[str, Outcome] = {}
            pending: list[str] = []
            nxt = 0
            marks = [args.warmup, *range(args.every, len(jobs), args.every)]
            t0 = time.monotonic()
            children: list[psutil.Process] = []
            while len(ended) < len(jobs):
                while nxt < len(jobs) and len(pending) < args.window:
                    pipe.submit([jobs[nxt]])
                    pending.append(jobs[nxt].job_id)
                    nxt += 1
                done = pipe.wait(pending[: args.window // 4], poll=0.02)
                ended.update(done)
                pending = [j for j in pending if j not in ended]
                while marks and len(ended) >= marks[0]:
                    marks.pop(0)
                    children = pool_children(pipe.worker_pid)
                    samples.append((len(ended), time.monotonic() - t0,
                                    [rss_mib(c) for c in children], rss_mib(main_proc),
                                    rss_mib(redis_proc)))
                    print(f"{len(ended)} pages: pool RSS MiB "
                          f"{[round(x) for x in samples[-1][2]]}")
            end_children = pool_children(pipe.worker_pid)
            samples.append((len(ended), time.monotonic() - t0,
                            [rss_mib(c) for c in end_children], rss_mib(main_proc),
                            rss_mib(redis_proc)))
            same = sorted(c.pid for c in end_children) == sorted(c.pid for c in children)
            records, dead = outcome_counts(ended)

    rows: list[list[object]] = [["pages done", "elapsed s", "pool RSS MiB (each)",
                                 "worker main MiB", "Redis MiB"]]
    for n, el, pool, mainr, red in samples:
        rows.append([n, f"{el:.0f}", ", ".join(f"{x:.1f}" for x in pool), f"{mainr:.1f}",
                     f"{red:.1f}"])
    base, end = samples[0][2], samples[-1][2]
    growth = [(e - b) / b for b, e in zip(base, end, strict=False)]
    # A high-water mark settles while each process meets the corpus's largest pages (a pool
    # process sees about 1/N of the pages, so a few passes): growth after the first ``--every``
    # pages and the least-squares trend over the rest tell a plateau from a leak.
    later = [x for x in samples if x[0] >= args.every]
    steady = ""
    if len(later) >= 3:
        xs = [x[0] / 1000 for x in later]
        mean = [sum(x[2]) / len(x[2]) for x in later]
        mx, my = sum(xs) / len(xs), sum(mean) / len(mean)
        slope = sum((a - mx) * (b - my) for a, b in zip(xs, mean, strict=True)) / sum(
            (a - mx) ** 2 for a in xs)
        g2 = [(e - b) / b for b, e in zip(later[0][2], end, strict=False)]
        steady = (f" From {later[0][0]} pages to the end: "
                  + ", ".join(f"{g:+.1%}" for g in g2)
                  + f"; trend {slope:+.2f} MiB per 1000 pages per pool process.")
    body = (f"{len(paths)} pages ({records} records, {dead} dead letters) through one "
            f"`celery worker -Q ingest,normalize -c {args.concurrency}` with "
            "PRESSLINE_MAX_TASKS_PER_CHILD=0; baseline after "
            f"{args.warmup} pages. Same pool processes throughout: {same}.\n\n" + table(rows)
            + "\n\nGrowth of each pool process from baseline to end: "
            + ", ".join(f"{g:+.1%}" for g in growth) + f" (max {max(growth):+.1%}; "
            "bar: under 10%)." + steady)
    report("Worker memory over many pages", command_line(), body, print_only=args.no_report)


if __name__ == "__main__":
    main()
