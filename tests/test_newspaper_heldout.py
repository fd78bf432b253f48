"""Held-out floor: newspaper4k's test pages with reference article texts (4-gram shingle F1).

The pages come from the newspaper4k sdist on PyPI (fetched once into bench/.cache by
bench/eval_newspaper.py, which prints the full table); no rule was fitted on them.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import eval_newspaper as E  # noqa: E402
from render_capture import render_capture  # noqa: E402

from pressline.settings import Settings  # noqa: E402
from services.ingest.decode import decode_body  # noqa: E402
from services.normalize.cleaner import clean_capture  # noqa: E402

# Reached: HTML pipeline 0.964, text-capture cleaner 0.955 (21 pages; trafilatura defaults
# 0.940 on the HTML, lines of 10+ words 0.666 on the text).
MIN_HTML_F1 = 0.955
MIN_TEXT_F1 = 0.94


Pages = list[tuple[str, str, str, dict[str, object]]]


@pytest.fixture(scope="module")
def pages() -> Pages:
    try:
        sdist = E.fetch()
    except subprocess.CalledProcessError as exc:  # pragma: no cover - no package index
        pytest.fail(f"could not fetch {E.PACKAGE} from the package index: {exc}")
    return [(n, decode_body(raw)[0], gold, meta) for n, raw, gold, meta in E.load(sdist)]


def test_text_captures_beat_the_floor(pages: Pages) -> None:
    """The capture cleaner keeps the article text of unseen news pages (mean F1 >= floor)."""
    scores = [E.shingle_f1("\n".join(clean_capture(render_capture(p)).paragraphs), gold)
              for _, p, gold, _ in pages]  # fmt: skip
    assert len(scores) >= 20
    assert statistics.mean(scores) >= MIN_TEXT_F1


def test_html_pipeline_beats_the_floor(pages: Pages) -> None:
    """The HTML pipeline's text matches the article text of unseen news pages (mean F1)."""
    run = E.systems(Settings(redis_url=""))["HTML: pressline pipeline"]
    scores = []
    for name, page, gold, meta in pages:
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        scores.append(E.shingle_f1(run(name, page, url), gold))
    assert statistics.mean(scores) >= MIN_HTML_F1
