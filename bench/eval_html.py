"""HTML extraction on the devdata pages: every option and addition, TUNE and CHECK side by side.

    .venv/bin/python bench/eval_html.py [--only NAME ...] [--no-throughput]

Pages come from ``tests/data/devdata`` (gzipped bytes, decoded as the ingest stage does), split
by the sha1 of the file name: even -> TUNE, odd -> CHECK. A page "meets" when every "with"
snippet is in the extraction and no "without" snippet is (whitespace runs collapsed to one
space, as trafilatura's own evaluation does). Throughput compares bare trafilatura with the full
pipeline (``normalize_page``) on the same files in the same run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from pressline.errors import EmptyExtraction  # noqa: E402
from pressline.record import RawPage  # noqa: E402
from pressline.settings import Settings  # noqa: E402
from services.ingest.decode import decode_body  # noqa: E402
from services.normalize.build import normalize_page  # noqa: E402
from services.normalize.html import (  # noqa: E402
    DEFAULT_OPTIONS,
    ExtractOptions,
    extract_html,
    second_pass,
)
from tests.devdata import half, snippet_score  # noqa: E402

DEVDATA = ROOT / "tests" / "data" / "devdata"


def load_pages() -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    expectations = json.loads((DEVDATA / "expectations.json").read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    for name in expectations:
        raw = gzip.decompress((DEVDATA / "pages" / f"{name}.gz").read_bytes())
        pages[name] = decode_body(raw)[0]
    return expectations, pages


def judge(expected: dict[str, object], text: str) -> tuple[int, int, bool]:
    """(with-snippets found, without-snippets leaked, page meets every snippet)."""
    return snippet_score(text or "", expected)  # type: ignore[arg-type]


def tally(expectations: dict[str, dict[str, object]],
          texts: dict[str, str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"tune": [0, 0, 0, 0], "check": [0, 0, 0, 0]}
    for name, text in texts.items():
        found, leaked, ok = judge(expectations[name], text)
        row = out[half(name)]
        row[0] += ok
        row[1] += 1
        row[2] += found
        row[3] += leaked
    return out


def _pipeline_text(name: str, html: str, url: str | None, settings: Settings) -> str:
    page = RawPage(job_id=name, item=name, source=name, url=url)
    try:
        return normalize_page(page, html, settings).text
    except EmptyExtraction:
        return ""


def _paragraphs_text(html: str, url: str | None, options: ExtractOptions, second: bool) -> str:
    extracted = extract_html(html, url, options)
    paragraphs = second_pass(extracted).paragraphs if second else extracted.paragraphs
    return "\n".join(paragraphs)


def variants(settings: Settings) -> dict[str, Callable[[str, str, str | None], str]]:
    chosen = DEFAULT_OPTIONS
    no_lead = replace(chosen, lead=False, boxes=False, declared=False, chunks=False)
    declared = replace(chosen, lead=False, boxes=False, chunks=False)
    with_lead = replace(chosen, boxes=False, chunks=False)
    with_chunks = replace(chosen, boxes=False)
    first = replace(no_lead, escalate_words=0, cascade=False)
    escalated = replace(no_lead, cascade=False)
    cascade_only = replace(no_lead, escalate_words=0)

    def bare(**kw: bool) -> Callable[[str, str, str | None], str]:
        return lambda n, h, u: trafilatura.extract(h, url=u, **kw) or ""

    return {
        "bare trafilatura (defaults)": bare(),
        "comments excluded": bare(include_comments=False),
        "favor_precision": bare(include_comments=False, favor_precision=True),
        "favor_recall": bare(include_comments=False, favor_recall=True),
        "fast": bare(include_comments=False, fast=True),
        "favor_precision + fast": bare(include_comments=False, favor_precision=True, fast=True),
        "chosen first run (one parse)": lambda n, h, u: _paragraphs_text(h, u, first, False),
        "+ escalation (full run if short)": lambda n, h, u: _paragraphs_text(
            h, u, escalated, False),
        "+ cascade only (no escalation)": lambda n, h, u: _paragraphs_text(
            h, u, cascade_only, False),
        "+ escalation + cascade": lambda n, h, u: _paragraphs_text(h, u, no_lead, False),
        "+ declared body (JSON-LD)": lambda n, h, u: _paragraphs_text(h, u, declared, False),
        "+ lead (the standfirst back)": lambda n, h, u: _paragraphs_text(h, u, with_lead, False),
        "+ chunks (split body joined)": lambda n, h, u: _paragraphs_text(
            h, u, with_chunks, False),
        "+ boxes (marked boxes out)": lambda n, h, u: _paragraphs_text(h, u, chosen, False),
        "+ ... + second pass": lambda n, h, u: _paragraphs_text(h, u, chosen, True),
        "full pipeline (normalize_page)": lambda n, h, u: _pipeline_text(n, h, u, settings),
    }


def throughput(pages: dict[str, str], expectations: dict[str, dict[str, object]],
               settings: Settings, rounds: int = 1) -> None:
    def run(fn: Callable[[str, str, str | None], object]) -> tuple[float, float]:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(rounds):
            for name, html in pages.items():
                fn(name, html, expectations[name].get("url"))  # type: ignore[arg-type]
        return time.process_time() - cpu0, time.perf_counter() - wall0

    n = len(pages) * rounds
    bare = lambda nm, h, u: trafilatura.extract(h, url=u)  # noqa: E731
    full = lambda nm, h, u: _pipeline_text(nm, h, u, settings)  # noqa: E731
    run(bare)  # warm both paths (imports, caches) before measuring
    run(full)
    results = {}
    for label, fn in (("bare trafilatura", bare), ("full pipeline", full),
                      ("bare trafilatura (again)", bare), ("full pipeline (again)", full)):
        cpu, wall = run(fn)
        results[label] = (cpu, wall)
        print(f"  {label:28s} {n / wall:7.1f} pages/s  {1000 * cpu / n:6.1f} ms CPU/page")
    bare_cpu = results["bare trafilatura"][0] + results["bare trafilatura (again)"][0]
    full_cpu = results["full pipeline"][0] + results["full pipeline (again)"][0]
    print(f"  pipeline / bare throughput (CPU): {bare_cpu / full_cpu:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="substrings of the variant names to run")
    parser.add_argument("--no-throughput", action="store_true")
    args = parser.parse_args()
    settings = Settings(redis_url="")
    expectations, pages = load_pages()
    print(f"{len(pages)} pages; TUNE {sum(half(n) == 'tune' for n in pages)}, "
          f"CHECK {sum(half(n) == 'check' for n in pages)}; chosen options {DEFAULT_OPTIONS}")
    print(f"{'variant':34s} {'TUNE meets':>11s} {'with':>5s} {'leak':>5s} | "
          f"{'CHECK meets':>11s} {'with':>5s} {'leak':>5s} | {'ALL':>4s}")
    for label, fn in variants(settings).items():
        if args.only and not any(o in label for o in args.only):
            continue
        texts = {n: fn(n, h, expectations[n].get("url")) for n, h in pages.items()}  # type: ignore[arg-type]
        t = tally(expectations, texts)
        tu, ch = t["tune"], t["check"]
        print(f"{label:34s} {tu[0]:4d}/{tu[1]:<6d} {tu[2]:5d} {tu[3]:5d} | "
              f"{ch[0]:4d}/{ch[1]:<6d} {ch[2]:5d} {ch[3]:5d} | {tu[0] + ch[0]:4d}", flush=True)
    if not args.no_throughput:
        print("throughput (same files, same run):")
        throughput(pages, expectations, settings)


if __name__ == "__main__":
    main()
