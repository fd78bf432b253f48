"""Fleet-wide relations: exact duplicates, versions, near duplicates and stories, on real Redis."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from pressline.record import ArticleRecord, digest
from pressline.runner import RunResult, summary_table
from pressline.settings import Settings
from services.normalize.build import extract
from services.normalize.relate import relate
from services.normalize.relate.fingerprint import text_hash
from services.normalize.relate.versions import canonical_url
from tests.conftest import DATA, SEEDS

SAMPLE = DATA / "relate" / "devdata_sample.jsonl"
T0 = datetime(2024, 1, 11, 8, 0, tzinfo=UTC)

ARTICLE = (
    "The council of the small harbour town voted on Tuesday evening to restore the lighthouse "
    "that has stood at the end of the northern pier since 1887, after years of debate about "
    "its cost. Engineers estimate that the work will take two summers, because the iron "
    "lantern room has to be taken apart, repaired in a workshop and lifted back into place by "
    "a floating crane. Residents who had campaigned for the restoration gathered outside the "
    "town hall, and several said they hoped the light would one day guide fishing boats home."
)


def prefix() -> str:
    return f"t-relate-{uuid.uuid4().hex[:10]}"


def make(text: str, job: str, *, url: str | None = None, title: str | None = None,
         language: str | None = "en", published_at: datetime | None = T0) -> ArticleRecord:
    content_hash = text_hash(text)
    return ArticleRecord(id=digest(job, content_hash), job_id=job, source=url or job, url=url,
                         title=title, language=language, text=text,
                         word_count=len(text.split()), content_hash=content_hash,
                         input_format="text", published_at=published_at)


def seeds() -> list[ArticleRecord]:
    return [extract(p.read_text(encoding="utf-8"), source=p.name)
            for p in sorted(SEEDS.glob("*.txt"))]


def sample() -> list[ArticleRecord]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [make(r["text"], r["source"], url=r["url"], title=r["title"],
                 language=r["language"], published_at=None) for r in rows]


def relations(rec: ArticleRecord) -> tuple[object, ...]:
    return (rec.id, rec.duplicate_of, rec.version, rec.previous_id,
            [(n.id, n.similarity) for n in rec.near_duplicates], rec.story_id)


def test_exact_duplicate_marked(rclient: redis.Redis) -> None:
    """The same text again is emitted marked duplicate_of the first, in the first's story."""
    p = prefix()
    first = relate(make(ARTICLE, "job-a"), rclient, prefix=p)
    second = relate(make(ARTICLE, "job-b"), rclient, prefix=p)
    assert first.duplicate_of is None
    assert second.duplicate_of == first.id
    assert second.story_id == first.story_id
    assert [n.id for n in second.near_duplicates] == [first.id]
    assert second.near_duplicates[0].similarity == 1.0
    again = relate(make(ARTICLE, "job-a"), rclient, prefix=p)  # a redelivered task
    assert relations(again) == relations(first)


def test_new_version_of_same_url(rclient: redis.Redis) -> None:
    """Changed text at the same canonical URL is version 2 with previous_id; same text is not."""
    p = prefix()
    url = "https://news.example/harbour/lighthouse"
    v1 = relate(make(ARTICLE, "j1", url=url), rclient, prefix=p)
    edited = ARTICLE.replace("two summers", "three summers") + " Work starts in May."
    v2 = relate(make(edited, "j2", url=url + "/?utm_source=feed#top"), rclient, prefix=p)
    again = relate(make(edited, "j3", url="http://www.news.example/harbour/lighthouse"),
                   rclient, prefix=p)
    assert (v1.version, v1.previous_id) == (1, None)
    assert (v2.version, v2.previous_id, v2.duplicate_of) == (2, v1.id, None)
    assert v1.id in [n.id for n in v2.near_duplicates]
    assert v2.story_id == v1.story_id
    assert (again.version, again.duplicate_of) == (2, v2.id)


def test_canonical_url_drops_tracking() -> None:
    """Tracking parameters, fragments, www., default ports and trailing slashes do not count."""
    assert canonical_url("HTTP://www.Example.com:80/a/?utm_medium=x&b=2&a=1#frag") == (
        "https://example.com/a?a=1&b=2")


def test_same_text_other_url(rclient: redis.Redis) -> None:
    """Syndicated copy under another URL: exact duplicate, or near duplicate when edited."""
    p = prefix()
    orig = relate(make(ARTICLE, "o", url="https://a.example/x"), rclient, prefix=p)
    copy = relate(make(ARTICLE, "c", url="https://b.example/y"), rclient, prefix=p)
    edited = ARTICLE.replace("Tuesday evening", "Tuesday night") + " (Reuters)"
    near = relate(make(edited, "n", url="https://c.example/z"), rclient, prefix=p)
    assert (copy.duplicate_of, copy.version, copy.previous_id) == (orig.id, 1, None)
    assert near.duplicate_of is None and near.version == 1
    assert near.near_duplicates[0].id == orig.id
    assert near.near_duplicates[0].similarity > 0.7
    assert near.story_id == orig.story_id


def test_seeds_one_story_devdata_apart(rclient: redis.Redis) -> None:
    """Five seeds share one story, 000~001 are near duplicates, no devdata page joins or merges."""
    p = prefix()
    recs = [relate(r, rclient, prefix=p) for r in seeds()]
    assert len({r.story_id for r in recs}) == 1
    link = {n.id: n.similarity for n in recs[1].near_duplicates}
    assert recs[0].id in link and 0.3 <= link[recs[0].id] <= 0.6
    for r in recs[2:]:
        assert recs[0].id not in {n.id for n in r.near_duplicates}
    dev = [relate(r, rclient, prefix=p) for r in sample()]
    story = recs[0].story_id
    assert [r.source for r in dev if r.story_id == story] == []
    assert len({r.story_id for r in dev}) == len(dev)  # no false merges among them
    assert all(r.near_duplicates == [] for r in dev)


def test_deterministic(rclient: redis.Redis) -> None:
    """The same input order on two fresh prefixes gives identical relations."""
    inputs = [*seeds(), *sample()[:10], make(ARTICLE, "x"), make(ARTICLE, "y")]
    runs = []
    for _ in range(2):
        p = prefix()
        runs.append([relations(relate(r, rclient, prefix=p)) for r in inputs])
    assert runs[0] == runs[1]


def test_concurrent_related_articles(redis_server: object) -> None:
    """Two workers relating near-identical articles at once: one story, exactly one first."""
    url = redis_server.url  # type: ignore[attr-defined]
    a_text = seeds()[0].text
    b_text = a_text.replace("Thursday", "on Thursday morning", 1) + " More to follow."
    for _ in range(15):
        p = prefix()
        barrier = threading.Barrier(4)
        inputs = [make(a_text, "a1"), make(a_text, "a2"), make(b_text, "b1"),
                  make(b_text, "b2")]
        out: dict[int, ArticleRecord] = {}

        def work(i: int, rec: ArticleRecord, p: str = p, barrier: threading.Barrier = barrier,
                 out: dict[int, ArticleRecord] = out) -> None:
            client = redis.Redis.from_url(url, decode_responses=True)
            barrier.wait()
            out[i] = relate(rec, client, prefix=p)
            client.close()

        threads = [threading.Thread(target=work, args=(i, r)) for i, r in enumerate(inputs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(out) == 4
        assert len({r.story_id for r in out.values()}) == 1
        client = redis.Redis.from_url(url, decode_responses=True)
        assert len(list(client.scan_iter(f"{p}:story:*"))) == 1
        client.close()
        for pair in ((0, 1), (2, 3)):
            firsts = [i for i in pair if out[i].duplicate_of is None]
            assert len(firsts) == 1
        a_first = next(out[i] for i in (0, 1) if out[i].duplicate_of is None)
        b_first = next(out[i] for i in (2, 3) if out[i].duplicate_of is None)
        links = (b_first.id in {n.id for n in a_first.near_duplicates},
                 a_first.id in {n.id for n in b_first.near_duplicates})
        assert links.count(True) == 1


def test_window_closes_story(rclient: redis.Redis) -> None:
    """A story older than the window accepts no new member; within it, it does."""
    p = prefix()
    s = seeds()
    first = relate(s[0].model_copy(update={"published_at": T0}), rclient, prefix=p,
                   story_window=3 * 24 * 3600)
    late = relate(s[1].model_copy(update={"published_at": T0 + timedelta(days=4)}), rclient,
                  prefix=p, story_window=3 * 24 * 3600)
    soon = relate(s[2].model_copy(update={"published_at": T0 + timedelta(days=1)}), rclient,
                  prefix=p, story_window=3 * 24 * 3600)
    assert first.id in {n.id for n in late.near_duplicates}  # still a near duplicate
    assert late.story_id != first.story_id
    assert soon.story_id == first.story_id
    for key in rclient.scan_iter(f"{p}:*"):
        assert int(rclient.ttl(key)) > 0  # every key expires


def test_summary_table_shows_story_and_links() -> None:
    """The run summary has story and related columns and lists the shared story."""
    recs: list[dict[str, object]] = [
        {"id": "a" * 24, "title": "A", "word_count": 10, "story_id": "s" * 16},
        {"id": "b" * 24, "title": "B", "word_count": 10, "story_id": "s" * 16,
         "near_duplicates": [{"id": "a" * 24, "similarity": 0.44}]},
    ]
    table = summary_table(RunResult(jobs=[], records=recs))
    assert "story" in table.splitlines()[0] and "related" in table.splitlines()[0]
    assert "~#1 0.44" in table and "~#2 0.44" in table
    assert "story ssssssss: 2 records (#1, #2)" in table


@pytest.mark.slow
@pytest.mark.usefixtures("workers")
def test_seeds_through_workers_one_story(settings: Settings, rclient: redis.Redis) -> None:
    """Seeds through the real worker come out in one story, 000 and 001 linked."""
    from tests.test_pipeline import run_items

    paths = sorted(str(p) for p in Path(SEEDS).glob("*.txt"))
    results = run_items(settings, rclient, paths)
    recs = [ArticleRecord.model_validate_json(f["record"]) for _, f in results]
    assert len({r.story_id for r in recs}) == 1 and recs[0].story_id
    links = {(r.id, n.id) for r in recs for n in r.near_duplicates}
    assert (recs[1].id, recs[0].id) in links or (recs[0].id, recs[1].id) in links
