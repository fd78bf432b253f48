"""Latency from submit to record: p50, p95, p99 at light load and at saturation.

Usage: ``.venv/bin/python bench/bench_latency.py [--light 120] [--copies 2]
[--concurrency N] [--no-report]``

Latency of a job = the time of its stream entry (the entry id is Redis's clock in ms) minus
the moment this process handed the job to the broker (same machine, same clock).

* light load: ``--light`` pages one at a time: submit, wait for the outcome, next;
* saturation: the whole corpus (devdata x ``--copies``, unique copies) submitted at once;
  each job's latency includes its wait in the queue, so p50 is about half the batch's
  drain time.

One real Celery worker (``-c N``, both queues) on an embedded Redis, warmed up first.
"""

from __future__ import annotations

import argparse
import os
import time

from _harness import (
    Pipeline,
    command_line,
    entry_time,
    percentile,
    report,
    table,
    temp_corpus,
    write_corpus,
)


def stats(lat: list[float]) -> list[str]:
    return [f"{percentile(lat, q) * 1000:.0f}" for q in (50, 95, 99)] + [
        f"{max(lat) * 1000:.0f}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--light", type=int, default=120, help="pages at light load")
    ap.add_argument("--copies", type=int, default=2, help="corpus copies at saturation")
    ap.add_argument("--concurrency", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()

    with temp_corpus() as tmp:
        light_paths = write_corpus(tmp / "light", 1, tag="l")[: args.light]
        sat_paths = write_corpus(tmp / "sat", args.copies, limit=args.limit)
        warmup = write_corpus(tmp / "warmup", 1, limit=20, tag="w")
        with Pipeline(concurrency=args.concurrency) as pipe:
            pipe.warm_up(warmup)
            light: list[float] = []
            for job in pipe.jobs(light_paths):
                at = pipe.submit([job])
                out = pipe.wait([job.job_id], poll=0.002)
                light.append(entry_time(out[job.job_id]) - at[job.job_id])
            pipe.forget()
            jobs = pipe.jobs(sat_paths)
            t0 = time.time()
            at = pipe.submit(jobs)
            outs = pipe.wait([j.job_id for j in jobs], poll=0.05)
            sat = [entry_time(outs[j]) - at[j] for j in at]
            drain = max(entry_time(o) for o in outs.values()) - t0

    rows: list[list[object]] = [["load", "pages", "p50 ms", "p95 ms", "p99 ms", "max ms"]]
    rows.append(["light (one at a time)", len(light), *stats(light)])
    rows.append([f"saturation ({len(sat)} at once, drained in {drain:.1f} s)", len(sat),
                 *stats(sat)])
    body = (f"Submit to stream entry; one `celery worker -Q ingest,normalize "
            f"-c {args.concurrency}`, embedded Redis, relate on, warmed up. Entry times have "
            "millisecond resolution.\n\n" + table(rows))
    report("Latency, submit to record", command_line(), body, print_only=args.no_report)


if __name__ == "__main__":
    main()
