"""Evaluate the capture cleaner on trafilatura's annotated pages (with / without snippets).

Pages are rendered to whole-page text captures (bench/render_capture.py), cleaned with
``clean_capture`` and scored like trafilatura's own eval: snippets are plain substrings
after collapsing whitespace. Two baselines run on the same captures. ``--html`` scores the
second pass (trafilatura.extract -> clean_body) against trafilatura alone.

"words kept" is the share of the capture's words that the system kept: it watches
over-pruning (the real score is a shingle F1 against the article body, where a lost body
line costs more than a leaked short boilerplate line).

``--titles`` scores the headline the cleaner finds against the page's own title (from
the HTML metadata): right, wrong, or none found.

Usage: python bench/eval_cleaner.py [--split tune|check|all] [--show FILE] [--html] [--titles]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from render_capture import decode_html, render_capture  # noqa: E402

from services.normalize.cleaner import clean_body, clean_capture  # noqa: E402
from tests.devdata import collapse, title_matches  # noqa: E402
from tests.devdata import half as split_of  # noqa: E402

DEVDATA = ROOT / "tests" / "data" / "devdata"  # the 239 pages, gzipped, and expectations
CAPTURES = ROOT / "tests" / "data" / "captures"


def page_bytes(name: str) -> bytes:
    return gzip.decompress((DEVDATA / "pages" / f"{name}.gz").read_bytes())


@dataclass
class Score:
    pages: int = 0
    perfect: int = 0
    with_total: int = 0
    with_found: int = 0
    without_total: int = 0
    without_leaked: int = 0
    proxy_sum: float = 0.0
    words_capture: int = 0
    words_kept: int = 0

    def add(self, text: str, title: str | None, exp: dict, capture: str = "") -> None:
        t = collapse(text)
        self.words_capture += len(capture.split())
        self.words_kept += len(text.split())
        tt = collapse(title or "")
        found = sum(1 for s in exp["with"] if collapse(s) in t or collapse(s) in tt)
        leaked = sum(1 for s in exp["without"] if collapse(s) in t)
        nw, nwo = len(exp["with"]), len(exp["without"])
        self.pages += 1
        self.with_total += nw
        self.with_found += found
        self.without_total += nwo
        self.without_leaked += leaked
        self.perfect += int(found == nw and leaked == 0)
        kept = found / nw if nw else 1.0
        dropped = 1 - leaked / nwo if nwo else 1.0
        self.proxy_sum += (kept + dropped) / 2

    def row(self, label: str) -> str:
        return (
            f"{label:<28} pages {self.perfect:>3}/{self.pages:<3} "
            f"with {self.with_found:>3}/{self.with_total:<3} "
            f"({self.with_found / max(1, self.with_total):.3f})  "
            f"without leaked {self.without_leaked:>3}/{self.without_total:<3} "
            f"({self.without_leaked / max(1, self.without_total):.3f})  "
            f"proxy {self.proxy_sum / max(1, self.pages):.3f}  "
            f"words kept {self.words_kept / max(1, self.words_capture):.3f}"
        )


def load_expectations() -> dict[str, dict]:
    src = DEVDATA / "expectations.json"
    if not src.exists():
        src = CAPTURES / "expectations.json"
    return json.loads(src.read_text(encoding="utf-8"))


def capture_for(name: str) -> str:
    page = DEVDATA / "pages" / f"{name}.gz"
    if page.exists():
        return render_capture(decode_html(page_bytes(name)))
    return (CAPTURES / (name[:-5] + ".txt")).read_text(encoding="utf-8")


def baseline_long_lines(capture: str) -> str:
    return "\n".join(line for line in capture.splitlines() if len(line.split()) >= 10)


def baseline_trafilatura(capture: str) -> str:
    import html

    import trafilatura

    paras = "".join(f"<p>{html.escape(line)}</p>" for line in capture.splitlines() if line)
    doc = f"<html><body><article>{paras}</article></body></html>"
    return trafilatura.extract(doc) or ""


def run_text(names: list[str], exps: dict[str, dict]) -> None:
    systems: dict[str, Callable[[str], tuple[str, str | None]]] = {
        "cleaner (clean_capture)": lambda c: _cleaner(c),
        "baseline >=10 words": lambda c: (baseline_long_lines(c), None),
        "baseline trafilatura(<p>)": lambda c: (baseline_trafilatura(c), None),
    }
    scores = {(s, sp): Score() for s in systems for sp in ("tune", "check", "all")}
    for name in names:
        cap = capture_for(name)
        for sys_name, fn in systems.items():
            text, title = fn(cap)
            for sp in (split_of(name), "all"):
                scores[(sys_name, sp)].add(text, title, exps[name], cap)
    _print(scores, systems)


def _cleaner(capture: str) -> tuple[str, str | None]:
    c = clean_capture(capture)
    return "\n".join(c.paragraphs), c.title


def run_html(names: list[str], exps: dict[str, dict]) -> None:
    import trafilatura

    systems = ("trafilatura alone", "trafilatura + clean_body")
    scores = {(s, sp): Score() for s in systems for sp in ("tune", "check", "all")}
    removed_total = 0
    for name in names:
        raw = decode_html(page_bytes(name))
        text = trafilatura.extract(raw, include_comments=False) or ""
        paras = [p for p in text.split("\n") if p.strip()]
        cleaned = clean_body(paras)
        removed_total += len(cleaned.removed)
        for sp in (split_of(name), "all"):
            # "words kept" here is relative to trafilatura's own output
            scores[("trafilatura alone", sp)].add(text, None, exps[name], text)
            scores[("trafilatura + clean_body", sp)].add(
                "\n".join(cleaned.paragraphs), None, exps[name], text
            )
    _print(scores, {s: None for s in systems})
    print(f"clean_body removed {removed_total} paragraphs in all")


def page_title(name: str) -> str | None:
    """The page's own title, from its HTML metadata (the reference for headlines)."""
    from trafilatura.metadata import extract_metadata

    meta = extract_metadata(decode_html(page_bytes(name)))
    return meta.title if meta and meta.title else None


def run_titles(names: list[str], verbose: bool) -> None:
    tally = {sp: {"pages": 0, "right": 0, "wrong": 0, "none": 0} for sp in ("tune", "check")}
    for name in names:
        ref = page_title(name)
        if not ref:
            continue
        got = clean_capture(capture_for(name)).title
        verdict = "none" if got is None else "right" if title_matches(ref, got) else "wrong"
        t = tally[split_of(name)]
        t["pages"] += 1
        t[verdict] += 1
        if verbose and verdict != "right":
            print(f"{verdict:<5} {name[:40]:<40} page={ref[:50]!r} found={(got or '')[:50]!r}")
    for sp, t in tally.items():
        if t["pages"]:
            print(f"--- split {sp}: headline right {t['right']}/{t['pages']}, "
                  f"wrong {t['wrong']}, none found {t['none']}")


def _print(scores: dict, systems: dict) -> None:
    for sp in ("tune", "check", "all"):
        print(f"--- split {sp}")
        for s in systems:
            if scores[(s, sp)].pages:
                print(scores[(s, sp)].row(s))


def show(name: str, exps: dict[str, dict]) -> None:
    if not name.endswith(".html"):
        name += ".html"
    c = clean_capture(capture_for(name))
    print(f"# {name} split={split_of(name)} language={c.language} title={c.title!r}")
    for p in c.paragraphs:
        print(f"  KEEP {p[:150]}")
    for r in c.removed:
        print(f"  DROP {r.category:<10} {','.join(r.signals):<50} {r.text[:100]}")
    exp = exps[name]
    text = collapse("\n".join(c.paragraphs))
    title = collapse(c.title or "")
    for s in exp["with"]:
        ok = collapse(s) in text or collapse(s) in title
        print(f"  with    {'ok  ' if ok else 'MISS'} {s[:80]}")
    for s in exp["without"]:
        leak = collapse(s) in text
        print(f"  without {'LEAK' if leak else 'ok  '} {s[:80]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=("tune", "check", "all"), default="all")
    ap.add_argument("--show")
    ap.add_argument("--html", action="store_true")
    ap.add_argument("--failures", action="store_true", help="list pages missing a snippet")
    ap.add_argument("--titles", action="store_true", help="score the headlines found")
    args = ap.parse_args()
    exps = load_expectations()
    if args.show:
        show(args.show, exps)
        return 0
    names = [n for n in exps if args.split == "all" or split_of(n) == args.split]
    if args.titles:
        run_titles(names, verbose=args.split != "all")
        return 0
    if args.failures:
        for n in names:
            c = clean_capture(capture_for(n))
            text, title = collapse("\n".join(c.paragraphs)), collapse(c.title or "")
            miss = [s for s in exps[n]["with"] if collapse(s) not in text + " " + title]
            leak = [s for s in exps[n]["without"] if collapse(s) in text]
            if miss or leak:
                print(f"{n}: miss={len(miss)} leak={len(leak)} {miss[:1]} {leak[:1]}")
        return 0
    if args.html:
        run_html(names, exps)
    else:
        run_text(names, exps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
