"""Feeds and sitemaps: discovered article URLs are submitted once, fleet-wide; beat polls."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import pytest
import redis

from pressline.celery_app import create_app
from pressline.intake import wait_for
from pressline.record import ArticleRecord, digest
from pressline.settings import Settings
from pressline.stream import read_outcome
from services.ingest.discover import discover, submit_new
from services.ingest.fetch import make_client
from tests.conftest import ARTICLE_HTML, ROOT, cli, serve_http

pytestmark = pytest.mark.usefixtures("workers")


class FeedHandler(BaseHTTPRequestHandler):
    """Serves feeds, sitemaps and the articles they list, under a random prefix."""

    docs: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/art/"):
            name = path.rsplit("/", 1)[1]
            body = ARTICLE_HTML.replace("lighthouse", f"lighthouse {name}").encode()
            ctype = "text/html; charset=utf-8"
        elif path in self.docs:
            ctype, body = self.docs[path]
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    with serve_http(FeedHandler) as base:
        yield base


def arts(base: str, tag: str, *names: str) -> list[str]:
    return [f"{base}/art/{tag}-{n}" for n in names]


def rss(urls: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{u}</link><guid isPermaLink='false'>x{i}"
                    f"</guid></item>" for i, u in enumerate(urls))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            f"<link>http://127.0.0.1/</link>{items}</channel></rss>").encode()


def atom(urls: list[str]) -> bytes:
    entries = "".join(f'<entry><title>t</title><link rel="alternate" type="text/html" '
                      f'href="{u}"/><link rel="self" href="{u}.atom"/></entry>' for u in urls)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>News</title><link href="http://127.0.0.1/" rel="self"/>{entries}'
            f"</feed>").encode()


def rdf(urls: list[str]) -> bytes:
    items = "".join(f'<item rdf:about="{u}"><title>t</title><link>{u}</link></item>'
                    for u in urls)
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-'
            'ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>t</title>'
            f"<link>http://127.0.0.1/</link></channel>{items}</rdf:RDF>").encode()


def json_feed(urls: list[str]) -> bytes:
    items = [{"id": str(i), "url": u} for i, u in enumerate(urls)]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "News",
                       "home_page_url": "http://127.0.0.1/", "items": items}).encode()


def urlset(urls: list[str], news: bool = False) -> bytes:
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    extra = ("<news:news><news:publication><news:name>G</news:name><news:language>en"
             "</news:language></news:publication><news:title>t</news:title></news:news>"
             if news else "")
    body = "".join(f"<url><loc>{u}</loc>{extra}</url>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9"{ns}>{body}</urlset>').encode()


def sitemap_index(urls: list[str]) -> bytes:
    body = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9">{body}</sitemapindex>').encode()


@pytest.fixture
def dsettings(settings: Settings) -> Settings:
    return settings.model_copy(update={"fetch_allowlist": "127.0.0.1"})


@pytest.mark.parametrize(
    ("fmt", "ctype", "render"),
    [("rss", "application/rss+xml", rss), ("atom", "application/atom+xml", atom),
     ("rdf", "application/rdf+xml", rdf), ("json", "application/feed+json", json_feed)],
)
def test_feed_formats(feed_server: str, dsettings: Settings, rclient: redis.Redis, fmt: str,
                      ctype: str, render: Any) -> None:
    """RSS, Atom, RSS 1.0 and JSON Feed each yield exactly their article links, in order."""
    tag = uuid.uuid4().hex[:8]
    urls = arts(feed_server, tag, "1", "2", "3")
    FeedHandler.docs[f"/{tag}.{fmt}"] = (ctype, render(urls))
    with make_client(dsettings) as http:
        assert discover(f"{feed_server}/{tag}.{fmt}", dsettings, rclient, http) == urls


def test_sitemap_index_gzip_and_news(feed_server: str, dsettings: Settings,
                                     rclient: redis.Redis) -> None:
    """A sitemap index leads to a plain, a gzipped and a news sitemap; all URLs are found."""
    tag = uuid.uuid4().hex[:8]
    a, b, c = arts(feed_server, tag, "a"), arts(feed_server, tag, "b1", "b2"), \
        arts(feed_server, tag, "n")
    FeedHandler.docs.update({
        f"/{tag}/index.xml": ("application/xml", sitemap_index(
            [f"{feed_server}/{tag}/s1.xml", f"{feed_server}/{tag}/s2.xml.gz",
             f"{feed_server}/{tag}/news.xml", f"{feed_server}/{tag}/index.xml"])),
        f"/{tag}/s1.xml": ("text/xml", urlset(a)),
        f"/{tag}/s2.xml.gz": ("application/gzip", gzip.compress(urlset(b))),
        f"/{tag}/news.xml": ("application/xml", urlset(c, news=True)),
    })
    with make_client(dsettings) as http:
        found = discover(f"{feed_server}/{tag}/index.xml", dsettings, rclient, http,
                         kind="sitemap")
    assert found == a + b + c


def test_sitemap_index_whose_sitemaps_all_fail_is_a_failed_source(
        feed_server: str, worker_env: dict[str, str]) -> None:
    """An index listing only unreadable sitemaps is reported and exits 1, not 'no URLs'."""
    tag = uuid.uuid4().hex[:8]
    FeedHandler.docs[f"/{tag}/index.xml"] = ("application/xml", sitemap_index(
        [f"{feed_server}/{tag}/gone1.xml", f"{feed_server}/{tag}/gone2.xml"]))
    proc = cli("submit", "--sitemap", f"{feed_server}/{tag}/index.xml", env=worker_env)
    assert proc.returncode == 1, proc.stderr
    assert "none of the 2 nested sitemaps could be read" in proc.stderr


def test_seen_set_prevents_resubmission(feed_server: str, dsettings: Settings,
                                        rclient: redis.Redis) -> None:
    """A URL is submitted once however often (and by whichever feed) it is listed."""
    tag = uuid.uuid4().hex[:8]
    urls = arts(feed_server, tag, "x", "y")
    app = create_app(dsettings)
    first = submit_new(app, rclient, dsettings, urls)
    assert [j.item for j in first] == urls
    again = submit_new(app, rclient, dsettings, [*urls, *arts(feed_server, tag, "z")])
    assert [j.item for j in again] == arts(feed_server, tag, "z")
    ended = wait_for(rclient, dsettings, [j.job_id for j in first + again], timeout=60)
    assert len(ended) == 3


def test_submit_feed_and_sitemap_commands(feed_server: str, worker_env: dict[str, str],
                                          settings: Settings, rclient: redis.Redis) -> None:
    """`submit --feed` and `--sitemap` queue the new articles and wait for their records."""
    tag = uuid.uuid4().hex[:8]
    feed_urls = arts(feed_server, tag, "f1", "f2")
    site_urls = arts(feed_server, tag, "f2", "s1")  # f2 is in both: submitted once
    FeedHandler.docs[f"/{tag}/rss.xml"] = ("application/rss+xml", rss(feed_urls))
    FeedHandler.docs[f"/{tag}/sitemap.xml"] = ("application/xml", urlset(site_urls))
    proc = cli("submit", "--json", "--wait", "--timeout", "90", "--feed",
               f"{feed_server}/{tag}/rss.xml", "--sitemap", f"{feed_server}/{tag}/sitemap.xml",
               env=worker_env)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    jobs = [x for x in lines if set(x) == {"job_id", "item"}]
    assert [j["item"] for j in jobs] == [*feed_urls, site_urls[1]]
    records = [ArticleRecord.model_validate(x) for x in lines if "text" in x]
    assert [r.url for r in records] == [*feed_urls, site_urls[1]]
    assert "2 URLs, 2 new" in proc.stderr and "2 URLs, 1 new" in proc.stderr
    again = cli("submit", "--feed", f"{feed_server}/{tag}/rss.xml", env=worker_env)
    assert again.returncode == 0 and again.stdout == ""
    assert "2 URLs, 0 new" in again.stderr


def test_feed_that_is_not_a_feed(feed_server: str, worker_env: dict[str, str]) -> None:
    """A --feed URL serving an HTML page is reported, nothing is submitted, exit status 1."""
    proc = cli("submit", "--feed", f"{feed_server}/art/not-a-feed", env=worker_env)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "unsupported_content" in proc.stderr and "not a feed" in proc.stderr


def test_beat_polls_configured_feeds(feed_server: str, worker_env: dict[str, str],
                                     settings: Settings, rclient: redis.Redis,
                                     tmp_path: Any) -> None:
    """Celery beat runs pressline.poll_feeds every interval: new items become records once."""
    tag = uuid.uuid4().hex[:8]
    first = arts(feed_server, tag, "b1", "b2")
    path = f"/{tag}/beat.xml"
    FeedHandler.docs[path] = ("application/rss+xml", rss(first))
    log = tmp_path / "beat.log"
    env = {**os.environ, **worker_env, "PRESSLINE_FEEDS": f"{feed_server}{path}",
           "PRESSLINE_FEED_INTERVAL": "1"}
    beat = subprocess.Popen([sys.executable, "-m", "celery", "-A", "pressline.celery_app",
                             "beat", f"--schedule={tmp_path / 'schedule'}", "--loglevel=INFO"],
                            env=env, cwd=ROOT, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT)
    try:
        ids = [digest("url", u) for u in first]
        assert len(wait_for(rclient, settings, ids, timeout=60)) == 2, log.read_text()
        later = arts(feed_server, tag, "b3")
        FeedHandler.docs[path] = ("application/rss+xml", rss(first + later))
        [outcome] = wait_for(rclient, settings, [digest("url", later[0])], timeout=60).values()
        assert outcome.kind == "record"
        time.sleep(2.5)  # more polls: nothing listed twice becomes a second record
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=20)
    records = [json.loads(f["record"]) for _, f in rclient.xrange(settings.stream)
               if tag in f.get("record", "")]
    assert sorted(r["url"] for r in records) == sorted(first + later)
    for o in wait_for(rclient, settings, ids, timeout=1).values():
        assert read_outcome(rclient, o) is not None
