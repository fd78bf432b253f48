"""Where a page's time goes: per-stage time per page, in this process, on the devdata pages.

Usage: ``.venv/bin/python bench/bench_stages.py [--copies 1] [--profile out.html]
[--no-report]``

Each page runs through the code the workers run, in order, and each stage is timed (CPU with
``time.process_time``, wall with ``time.perf_counter``) by wrapping the real functions:

* fetch: ``acquire`` of a file job (read the file, ``decode_body``);
* handoff: what travels between the two tasks: ``store_page_body`` (large bodies go to
  Redis), the RawPage to JSON and back, ``load_page_body``;
* parse: ``parse_html`` (the one lxml parse);
* metadata: ``extract_metadata`` (JSON-LD, ``<meta>``, markup, URL);
* extract: ``trafilatura_paragraphs`` (the fast run and, for short results, the full run)
  and the cascade (readability-lxml / jusText when nearly empty);
* lead, boxes, tail links: ``body_anchor`` and ``lead_above`` (the standfirst back),
  ``drop_boxed`` (paragraphs only in marked boxes out), ``tail_links`` (which closing list
  items link elsewhere);
* clean: the cleaner's second pass (``clean_body``, or ``clean_capture`` for text pages);
* language: ``detect_language`` when the cleaner gave none;
* build: the rest of ``normalize_page`` (paywall flags, hashing, the pydantic record);
* dedup: ``relate`` against a real Redis (embedded server);
* emit: ``emit_record`` (the record to JSON and the exactly-once Lua XADD).

Celery's own cost (broker messages, acks, ``run_stage``'s bookkeeping) is not here: compare
the sum with bench_throughput's CPU per page. ``--profile FILE`` also writes a pyinstrument
profile of the whole loop (HTML, or text when FILE ends in .txt).
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from _harness import command_line, report, table, temp_corpus, write_corpus

import services.normalize.build as build
import services.normalize.cascade as cascade
import services.normalize.html as html
from pressline.embedded import EmbeddedRedis
from pressline.errors import PresslineError
from pressline.intake import job_for
from pressline.record import RawPage
from pressline.settings import Settings
from pressline.stream import emit_record, load_page_body, store_page_body
from services.ingest.acquire import acquire
from services.normalize.relate import params_from_settings, relate

STAGES = ("fetch", "handoff", "parse", "metadata", "extract", "lead", "boxes", "tail links",
          "clean", "language", "build",
          "dedup", "emit")


class Clock:
    """Accumulated CPU and wall seconds per stage; nested stages are subtracted from their
    parent (``build`` is what ``normalize_page`` spends outside its named parts)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall: dict[str, float] = defaultdict(float)
        self.stack: list[str] = []

    def timed(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if self.stack and self.stack[-1] == stage:  # re-entry (no double counting)
                return fn(*args, **kwargs)
            self.stack.append(stage)
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                dc, dw = time.process_time() - c0, time.perf_counter() - w0
                self.stack.pop()
                self.cpu[stage] += dc
                self.wall[stage] += dw
                if self.stack:
                    self.cpu[self.stack[-1]] -= dc
                    self.wall[self.stack[-1]] -= dw
        return wrapper


def instrument(clock: Clock) -> None:
    """Wrap the real functions where their callers look them up."""
    html.parse_html = clock.timed("parse", html.parse_html)
    html.extract_metadata = clock.timed("metadata", html.extract_metadata)
    html.trafilatura_paragraphs = clock.timed("extract", html.trafilatura_paragraphs)
    cascade.choose = clock.timed("extract", cascade.choose)
    html.body_anchor = clock.timed("lead", html.body_anchor)
    html.lead_above = clock.timed("lead", html.lead_above)
    html.drop_boxed = clock.timed("boxes", html.drop_boxed)
    html.tail_links = clock.timed("tail links", html.tail_links)
    html.clean_body = clock.timed("clean", html.clean_body)
    build.clean_capture = clock.timed("clean", build.clean_capture)
    build.detect_language = clock.timed("language", build.detect_language)


def run(paths: list[Path], settings: Settings, client: redis.Redis, clock: Clock) -> int:
    """Every page through every stage; returns the number of records."""
    fetch = clock.timed("fetch", acquire)
    normalize = clock.timed("build", build.normalize_page)
    dedup = clock.timed("dedup", relate)
    emit = clock.timed("emit", emit_record)

    def handoff(page: RawPage, body: str) -> tuple[RawPage, str]:
        stored = store_page_body(client, settings, page, body)
        back = RawPage.model_validate(stored.model_dump(mode="json"))
        return back, load_page_body(client, back)

    handoff_t = clock.timed("handoff", handoff)
    relate_params = params_from_settings(settings)
    records = 0
    for path in paths:
        job = job_for(str(path))
        try:
            page, body = fetch(job, settings, None)
            page, body = handoff_t(page, body)
            record = normalize(page, body, settings)
        except PresslineError:
            continue
        record = dedup(record, client, prefix=settings.key_prefix, **relate_params)
        emit(client, settings, record)
        records += 1
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--profile", default=None, help="write a pyinstrument profile here")
    ap.add_argument("--no-report", action="store_true")
    args = ap.parse_args()

    with temp_corpus() as tmp, EmbeddedRedis() as server:
        paths = write_corpus(tmp / "pages", args.copies, limit=args.limit)
        warm = write_corpus(tmp / "warm", 1, limit=20, tag="w")
        settings = Settings(redis_url=server.url)
        client = redis.Redis.from_url(server.url, decode_responses=True)
        clock = Clock()
        instrument(clock)
        run(warm, settings, client, clock)  # imports, models, caches: not counted
        client.flushdb()
        clock.cpu.clear()
        clock.wall.clear()
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        c0, w0 = time.process_time(), time.perf_counter()
        records = run(paths, settings, client, clock)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        if profiler is not None:
            profiler.stop()
            out = Path(args.profile)
            out.write_text(profiler.output_text(unicode=True, show_all=False)
                           if out.suffix == ".txt" else profiler.output_html())
        client.close()

    n = len(paths)
    rows: list[list[object]] = [["stage", "CPU ms/page", "share of CPU", "wall ms/page"]]
    total_cpu = sum(clock.cpu[s] for s in STAGES)
    for stage in STAGES:
        rows.append([stage, f"{clock.cpu[stage] / n * 1000:.2f}",
                     f"{clock.cpu[stage] / total_cpu:.1%}",
                     f"{clock.wall[stage] / n * 1000:.2f}"])
    rows.append(["**sum of stages**", f"**{total_cpu / n * 1000:.2f}**", "100%",
                 f"{sum(clock.wall[s] for s in STAGES) / n * 1000:.2f}"])
    rows.append(["whole loop", f"{cpu / n * 1000:.2f}", "", f"{wall / n * 1000:.2f}"])
    body = (f"{n} pages (devdata x {args.copies}), {records} records, in one process against "
            "an embedded Redis; 20 warm-up pages not counted. Wall includes Redis round trips "
            "(dedup, emit, handoff).\n\n" + table(rows))
    report("Stages: time per page", command_line(), body, print_only=args.no_report)


if __name__ == "__main__":
    main()
