"""Regression floors on the CHECK split of the rendered trafilatura-eval captures.

Captures live in tests/data/captures (rendered by bench/render_capture.py), so the test
needs nothing outside the repo. Figures come from bench/eval_cleaner.py --split check.
"""

from __future__ import annotations

import json
from pathlib import Path

from services.normalize.cleaner import clean_capture
from tests.devdata import half, snippet_score

CAPTURES = Path(__file__).resolve().parent / "data" / "captures"

# Measured on the CHECK split (120 pages, 353 'with', 355 'without' snippets):
# 73 pages meet every snippet, 318/353 = 0.901 'with' found, 42/355 = 0.118 leaked.
MIN_PERFECT_PAGES = 72
MIN_WITH_RATE = 0.895
MAX_WITHOUT_LEAK_RATE = 0.125

def test_check_split_meets_floors() -> None:
    """Pages meeting every snippet, 'with' found and 'without' leaked stay at their floors."""
    exps = json.loads((CAPTURES / "expectations.json").read_text(encoding="utf-8"))
    perfect = w_found = w_total = wo_leak = wo_total = 0
    for name, exp in exps.items():
        if half(name) != "check":
            continue
        c = clean_capture((CAPTURES / (name[:-5] + ".txt")).read_text(encoding="utf-8"))
        found, leaked, ok = snippet_score("\n".join(c.paragraphs), exp, c.title)
        perfect += ok
        w_found += found
        w_total += len(exp["with"])
        wo_leak += leaked
        wo_total += len(exp["without"])
    assert perfect >= MIN_PERFECT_PAGES
    assert w_found / w_total >= MIN_WITH_RATE
    assert wo_leak / wo_total <= MAX_WITHOUT_LEAK_RATE
