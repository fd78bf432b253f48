"""Held-out check with gold article texts: newspaper4k's test pages, 4-gram shingle F1.

newspaper4k ships real news pages (CNN, Time, Wired, regional papers; English, Spanish,
Latvian, Arabic, Chinese, Japanese, Thai, Burmese...) with the article text its tests
expect. None of pressline's rules were fitted on them. The sdist is fetched once from PyPI
into ``bench/.cache`` (nothing of it is committed); the texts are newspaper's validated
output, so they are a reference, not a hand-made gold standard.

Both forms are scored, per page then averaged, as pressline is measured elsewhere:

* HTML: the full pipeline (``normalize_page``) against bare ``trafilatura.extract`` with
  defaults and with ``favor_precision``;
* text captures (``bench/render_capture.py``, the whole page one block a line): the
  cleaner against "keep lines of 10 or more words" and trafilatura on the text.

Usage: python bench/eval_newspaper.py [--pages] (per-page rows as well as the means)
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import re
import statistics
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import trafilatura  # noqa: E402
from render_capture import render_capture  # noqa: E402

from pressline.errors import EmptyExtraction  # noqa: E402
from pressline.record import RawPage  # noqa: E402
from pressline.settings import Settings  # noqa: E402
from services.ingest.decode import decode_body  # noqa: E402
from services.normalize.build import normalize_page  # noqa: E402
from services.normalize.cleaner import clean_capture  # noqa: E402
from tests.devdata import title_matches  # noqa: E402

PACKAGE = "newspaper4k==0.9.6"
CACHE = ROOT / "bench" / ".cache"
MIN_GOLD_WORDS = 50
SPACED = {"en", "es", "lv", "ar", "de", "fr", "it", "pt"}  # languages written with spaces
_WORD = re.compile(r"\w+")


def fetch() -> Path:
    """The sdist, downloaded from PyPI on first use."""
    sdist = CACHE / (PACKAGE.replace("==", "-") + ".tar.gz")
    if not sdist.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "--no-binary", ":all:", "-d", str(CACHE), PACKAGE], check=True)
    return sdist


def load(sdist: Path) -> list[tuple[str, bytes, str, dict[str, object]]]:
    """(name, html bytes, reference text, metadata) for pages with a text of 50+ words."""
    files: dict[str, bytes] = {}
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            parts = member.name.split("/")
            if member.isfile() and "tests" in parts and "data" in parts:
                f = tar.extractfile(member)
                if f is not None:
                    files["/".join(parts[parts.index("data") + 1:])] = f.read()
    pages = []
    for key in sorted(files):
        if not (key.startswith("html/") and key.endswith(".html")):
            continue
        name = key[5:-5]
        text = files.get(f"txt/{name}.txt")
        if text is None:
            continue
        gold = text.decode("utf-8")
        if len(_WORD.findall(gold)) < MIN_GOLD_WORDS:
            continue
        meta = json.loads(files.get(f"metadata/{name}.json", b"{}"))
        pages.append((name, files[key], gold, meta))
    return pages


def shingle_f1(text: str, gold: str, k: int = 4) -> float:
    """F1 of the sets of k-word shingles (lowercased word tokens)."""
    def shingles(s: str) -> set[tuple[str, ...]]:
        w = _WORD.findall(s.lower())
        return {tuple(w[i:i + k]) for i in range(len(w) - k + 1)}

    got, ref = shingles(text), shingles(gold)
    common = len(got & ref)
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def systems(settings: Settings) -> dict[str, Callable[[str, str, str | None], str]]:
    def pipeline(name: str, page: str, url: str | None) -> str:
        try:
            return normalize_page(RawPage(job_id=name, item=name, source=name, url=url),
                                  page, settings).text
        except EmptyExtraction:
            return ""

    def on_text(capture: str) -> str:
        paras = "".join(f"<p>{html_lib.escape(x)}</p>" for x in capture.splitlines() if x)
        return trafilatura.extract(f"<html><body><article>{paras}</article></body></html>") or ""

    return {
        "HTML: pressline pipeline": pipeline,
        "HTML: trafilatura defaults": lambda n, p, u: trafilatura.extract(p) or "",
        "HTML: trafilatura favor_precision":
            lambda n, p, u: trafilatura.extract(p, favor_precision=True) or "",
        "text: pressline cleaner":
            lambda n, p, u: "\n".join(clean_capture(render_capture(p)).paragraphs),
        "text: lines of 10+ words": lambda n, p, u: "\n".join(
            x for x in render_capture(p).splitlines() if len(x.split()) >= 10),
        "text: trafilatura on the text": lambda n, p, u: on_text(render_capture(p)),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", action="store_true", help="print per-page scores too")
    args = ap.parse_args()
    pages = load(fetch())
    runs = systems(Settings(redis_url=""))
    scores: dict[str, dict[str, float]] = {s: {} for s in runs}
    langs: dict[str, str] = {}
    titles = {"HTML": 0, "text": 0, "pages": 0}
    settings = Settings(redis_url="")
    for name, raw, gold, meta in pages:
        page = decode_body(raw)[0]
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        langs[name] = str(meta.get("language") or "?")
        for label, run in runs.items():
            scores[label][name] = shingle_f1(run(name, page, url), gold)
        ref = meta.get("title")
        if isinstance(ref, str) and ref:
            titles["pages"] += 1
            try:
                rec = normalize_page(RawPage(job_id=name, item=name, source=name, url=url),
                                     page, settings)
                titles["HTML"] += title_matches(ref, rec.title)
            except EmptyExtraction:
                pass
            titles["text"] += title_matches(ref, clean_capture(render_capture(page)).title)
    if args.pages:
        for name in langs:
            print(f"{name[:28]:<28} {langs[name]:<3} "
                  + " ".join(f"{scores[s][name]:.3f}" for s in runs))
    spaced = [n for n in langs if langs[n] in SPACED]
    print(f"{len(langs)} pages ({len(spaced)} in languages written with spaces); "
          "mean 4-gram shingle F1 against newspaper4k's article texts:")
    for label in runs:
        every = statistics.mean(scores[label].values())
        some = statistics.mean(scores[label][n] for n in spaced)
        print(f"  {label:<36} all {every:.3f}   spaced languages {some:.3f}")
    print(f"headline = the page's own title (of {titles['pages']}): "
          f"HTML {titles['HTML']}, text capture {titles['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
