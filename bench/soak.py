"""Soak: many mixed good and bad items through real workers while pool children are killed.

Prints items submitted, records, dead letters, lost (no outcome), duplicated (more than one
outcome), and worker RSS at start and end. The bar: 0 lost, 0 duplicated, RSS growth < 10 %.

    .venv/bin/python bench/soak.py --items 10000 --kill-every 2
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pressline.celery_app import create_app  # noqa: E402
from pressline.embedded import EmbeddedRedis  # noqa: E402
from pressline.intake import job_for, submit_jobs, wait_for  # noqa: E402
from pressline.settings import Settings  # noqa: E402
from pressline.workers import pool_children, start_worker_process, stop_worker_process  # noqa: E402

PAGES = ROOT / "tests" / "data" / "devdata" / "pages"


class _Handler(BaseHTTPRequestHandler):
    page = b""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        kind = self.path.split("?")[0]
        status, ctype, body = {
            "/ok": (200, "text/html; charset=utf-8", self.page),
            "/pdf": (200, "application/pdf", b"%PDF-1.4 ..."),
        }.get(kind, (404, "text/plain", b"missing"))
        if kind == "/ok":  # a distinct article per query string
            body = body.replace(b"</body>", f"<p>Item {self.path}.</p></body>".encode())
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss(pid: int) -> tuple[int, int]:
    """(main process RSS, sum of pool children RSS) in KiB."""
    return rss_kb(pid), sum(rss_kb(k) for k in pool_children(pid))


def make_items(n: int, workdir: Path, base_url: str, rng: random.Random) -> list[str]:
    """Roughly 60 % good files, 20 % good URLs, 20 % bad items of every kind."""
    pages = sorted(PAGES.glob("*.html.gz"))
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    items: list[str] = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.5:
            src = rng.choice(pages)
            path = workdir / f"p{i}.html"
            path.write_bytes(gzip.decompress(src.read_bytes())
                             + f"<!-- copy {i} -->".encode())
            items.append(str(path))
        elif roll < 0.6:
            path = workdir / f"s{i}.txt"
            path.write_text(rng.choice(seeds).read_text() + f"\nCopy {i}.")
            items.append(str(path))
        elif roll < 0.8:
            items.append(f"{base_url}/ok?{i}")
        else:
            bad = rng.randrange(6)
            if bad == 0:
                items.append(f"{base_url}/missing?{i}")
            elif bad == 1:
                items.append(f"{base_url}/pdf?{i}")
            elif bad == 2:
                items.append(f"ftp://example.invalid/{i}")
            elif bad == 3:
                path = workdir / f"b{i}.bin"
                path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))
                items.append(str(path))
            elif bad == 4:
                path = workdir / f"e{i}.txt"
                path.write_bytes(b"")
                items.append(str(path))
            else:
                items.append(str(workdir / f"missing{i}.txt"))
    return items


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--kill-every", type=float, default=2.0, help="seconds between kills")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    _Handler.page = gzip.decompress(next(iter(sorted(PAGES.glob("*.html.gz")))).read_bytes())
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{httpd.server_address[1]}"

    with EmbeddedRedis() as server, tempfile.TemporaryDirectory() as tmp:
        # One local server stands in for many sites: no per-host rate limit on it.
        env = {"PRESSLINE_REDIS_URL": server.url, "PRESSLINE_FETCH_ALLOWLIST": "127.0.0.1",
               "PRESSLINE_RETRY_BACKOFF_BASE": "0", "PRESSLINE_LOG_LEVEL": "WARNING",
               "PRESSLINE_RATE_PER_DOMAIN": "0"}
        settings = Settings(redis_url=server.url)
        client = redis.Redis.from_url(server.url, decode_responses=True)
        items = make_items(args.items, Path(tmp), base_url, rng)
        jobs = [job_for(i) for i in items]
        worker = start_worker_process(settings, [settings.ingest_queue, settings.normalize_queue],
                                      args.concurrency, env=env,
                                      logfile=str(Path(tmp) / "worker.log"))
        time.sleep(4)
        app = create_app(settings)
        started = time.monotonic()
        submit_jobs(app, settings, jobs[:200])  # warm-up before the first RSS sample
        wait_for(client, settings, [j.job_id for j in jobs[:200]], timeout=300)
        rss_start = tree_rss(worker.pid)
        submit_jobs(app, settings, jobs[200:])
        kills = 0
        ids = [j.job_id for j in jobs]
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            ended = len(wait_for(client, settings, ids, timeout=0))
            if ended == len(ids):
                break
            time.sleep(args.kill_every)
            kids = pool_children(worker.pid)
            if kids and ended < len(ids) * 0.95:
                os.kill(rng.choice(kids), signal.SIGKILL)
                kills += 1
        rss_end = tree_rss(worker.pid)
        elapsed = time.monotonic() - started
        stop_worker_process(worker)

        outcomes: Counter[str] = Counter()
        records = dead = 0
        reasons: Counter[str] = Counter()
        for _id, fields in client.xrange(settings.stream):
            outcomes[json.loads(fields["record"])["job_id"]] += 1
            records += 1
        for _id, fields in client.xrange(settings.dead_stream):
            outcomes[fields["job_id"]] += 1
            reasons[fields["reason"]] += 1
            dead += 1
        unique = {j.job_id for j in jobs}
        lost = sum(1 for j in unique if outcomes[j] == 0)
        duplicated = sum(1 for j in unique if outcomes[j] > 1)
        growth_main = 100 * (rss_end[0] - rss_start[0]) / max(rss_start[0], 1)
        print(f"items submitted   {len(unique)}")
        print(f"records           {records}")
        print(f"dead letters      {dead}  {dict(reasons.most_common())}")
        print(f"lost              {lost}")
        print(f"duplicated        {duplicated}")
        print(f"children killed   {kills}")
        print(f"elapsed           {elapsed:.0f} s ({len(unique) / elapsed:.1f} items/s)")
        print(f"worker main RSS   {rss_start[0] / 1024:.1f} MiB -> {rss_end[0] / 1024:.1f} MiB "
              f"({growth_main:+.1f} %)")
        print(f"pool children RSS {rss_start[1] / 1024:.1f} MiB -> {rss_end[1] / 1024:.1f} MiB "
              "(children are replaced when killed)")
        client.close()
    httpd.shutdown()
    return 0 if lost == 0 and duplicated == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
