"""Cost and quality of ``relate``: time per record, Redis memory, false merges.

Usage: ``.venv/bin/python bench/bench_relate.py [--devdata DIR] [--write-sample N]``

* Time: each page (the five seeds, then the devdata pages in name order) goes through
  ``extract`` (normalize without relate) and then ``relate``; both are timed in the same run,
  side by side, and the added time per record is reported (mean, p50, p95).
* Memory: ``INFO memory`` ``used_memory`` of a fresh embedded Redis before and after relating
  every record, per 1000 records (all keys are relate's own).
* Quality: on fresh key prefixes, the seeds then each devdata half (TUNE: even positions in
  name order, CHECK: odd positions) and then all of devdata are related. The devdata pages
  are unrelated to one another, so every devdata record that shares its story with another
  devdata record is a false merge: false-merge rate = such records / devdata records. Also
  reported: devdata records that joined the seeds' story, and devdata near-duplicate links.
* ``--write-sample N`` writes N devdata texts (spread over the name order) to
  ``tests/data/relate/devdata_sample.jsonl`` for the tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from pressline.embedded import EmbeddedRedis  # noqa: E402
from pressline.record import ArticleRecord  # noqa: E402
from services.normalize.build import extract  # noqa: E402
from services.normalize.relate import relate  # noqa: E402
from services.normalize.relate.terms import cosine, term_vector  # noqa: E402

DEVDATA = ROOT.parent / "shared" / "devdata" / "trafilatura-eval"
SAMPLE = ROOT / "tests" / "data" / "relate" / "devdata_sample.jsonl"


def load_pages(devdata: Path) -> tuple[list[tuple[str, bytes, str | None]], int]:
    """(name, content, url) for the seeds then the devdata pages; and the number of seeds."""
    pages: list[tuple[str, bytes, str | None]] = [
        (p.name, p.read_bytes(), None) for p in sorted((ROOT / "seeds").glob("*.txt"))
    ]
    n_seeds = len(pages)
    urls: dict[str, dict[str, object]] = {}
    if (devdata / "expectations.json").exists():
        urls = json.loads((devdata / "expectations.json").read_text(encoding="utf-8"))
    for p in sorted((devdata / "pages").glob("*.html")):
        url = urls.get(p.name, {}).get("url")
        pages.append((p.name, p.read_bytes(), str(url) if url else None))
    return pages, n_seeds


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timing_and_memory(client: redis.Redis, pages: list[tuple[str, bytes, str | None]]
                      ) -> tuple[list[ArticleRecord], list[float], list[float], int]:
    records: list[ArticleRecord] = []
    base_ms: list[float] = []
    added_ms: list[float] = []
    # warm-up (imports, stop lists, permutations) on a throw-away prefix
    warm = extract(pages[0][1].decode("utf-8"), source=pages[0][0])
    relate(warm, client, prefix="bench-warm")
    for key in client.scan_iter("bench-warm:*"):
        client.delete(key)
    before = used_memory(client)
    for name, content, url in pages:
        t0 = time.perf_counter()
        try:
            body: str | bytes = content.decode("utf-8") if name.endswith(".txt") else content
            rec = extract(body, source=name, url=url)
        except Exception:
            continue
        t1 = time.perf_counter()
        rec = relate(rec, client, prefix="bench")
        t2 = time.perf_counter()
        base_ms.append((t1 - t0) * 1000)
        added_ms.append((t2 - t1) * 1000)
        records.append(rec)
    after = used_memory(client)
    return records, base_ms, added_ms, after - before


def quality(client: redis.Redis, seeds: list[ArticleRecord], dev: list[ArticleRecord],
            label: str) -> dict[str, object]:
    prefix = f"bench-q-{uuid.uuid4().hex[:8]}"
    related_seeds = [relate(r, client, prefix=prefix) for r in seeds]
    related_dev = [relate(r, client, prefix=prefix) for r in dev]
    seed_stories = {r.story_id for r in related_seeds}
    by_story: dict[str, list[ArticleRecord]] = defaultdict(list)
    for r in related_dev:
        by_story[str(r.story_id)].append(r)
    merged = [r for s, rs in by_story.items() if len(rs) > 1 for r in rs]
    pairs = sum(len(rs) * (len(rs) - 1) // 2 for rs in by_story.values())
    joined_seeds = [r.source for r in related_dev if r.story_id in seed_stories]
    near_links = sum(len(r.near_duplicates) for r in related_dev)
    s0, s1 = related_seeds[0], related_seeds[1]
    link = [n.similarity for n in s1.near_duplicates if n.id == s0.id]
    return {
        "set": label, "devdata records": len(dev),
        "seed stories": len(seed_stories), "000-001 similarity": link[0] if link else None,
        "false-merged records": len(merged),
        "false-merge rate": round(len(merged) / max(1, len(dev)), 4),
        "false-merged pairs": pairs, "joined seeds' story": joined_seeds,
        "devdata near-duplicate links": near_links,
        "merged groups": [[r.source for r in rs] for rs in by_story.values() if len(rs) > 1],
    }


def write_sample(seeds: list[ArticleRecord], dev: list[ArticleRecord], n: int) -> None:
    """Half the hardest negatives (closest to a seed or to another page), half spread out."""
    vec = {r.id: term_vector(r.text, title=r.title, language=r.language) for r in seeds + dev}
    hardness = {
        r.id: max([cosine(vec[r.id], vec[o.id]) for o in seeds]
                  + [cosine(vec[r.id], vec[o.id]) for o in dev if o.id != r.id])
        for r in dev
    }
    hardest = sorted(dev, key=lambda r: (-hardness[r.id], r.source))[: n // 2]
    rest = [r for r in dev if r not in hardest]
    step = max(1, len(rest) // max(1, n - len(hardest)))
    chosen = sorted(hardest + rest[::step][: n - len(hardest)], key=lambda r: r.source)
    SAMPLE.parent.mkdir(parents=True, exist_ok=True)
    with SAMPLE.open("w", encoding="utf-8") as out:
        for r in chosen:
            out.write(json.dumps({"source": r.source, "url": r.url, "title": r.title,
                                  "language": r.language, "text": r.text},
                                 ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen)} texts to {SAMPLE.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devdata", type=Path, default=DEVDATA)
    parser.add_argument("--write-sample", type=int, default=0)
    args = parser.parse_args()
    pages, n_seeds = load_pages(args.devdata)
    with EmbeddedRedis() as server:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        records, base_ms, added_ms, mem = timing_and_memory(client, pages)
        seeds = [r.model_copy(update={"story_id": None}) for r in records[:n_seeds]]
        dev = [r.model_copy(update={"story_id": None, "near_duplicates": [],
                                    "duplicate_of": None}) for r in records[n_seeds:]]
        n = len(records)
        print(f"records: {n} ({n_seeds} seeds, {len(dev)} devdata pages)")
        print("time per record (ms)      mean     p50     p95")
        for label, vals in (("normalize only", base_ms), ("relate (added)", added_ms),
                            ("normalize + relate", [a + b for a, b in
                                                    zip(base_ms, added_ms, strict=True)])):
            print(f"  {label:<22}{statistics.mean(vals):7.2f} {pct(vals, 0.5):7.2f}"
                  f" {pct(vals, 0.95):7.2f}")
        keys = sum(1 for _ in client.scan_iter("bench:*", count=1000))
        print(f"redis memory: {mem / 1024:.0f} KiB for {n} records = "
              f"{mem / n * 1000 / 1024 / 1024:.2f} MiB per 1000 records "
              f"({keys} keys, {keys / n:.1f} per record)")
        halves = {"TUNE": dev[0::2], "CHECK": dev[1::2], "ALL": dev}
        for label, part in halves.items():
            q = quality(client, seeds, part, label)
            print(json.dumps(q, ensure_ascii=False))
        client.close()
    if args.write_sample:
        write_sample(seeds, dev, args.write_sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
