"""The ``pressline`` command: submit, watch, bridge, worker, tail, extract, run, schema (and ops
commands)."""

from __future__ import annotations

import argparse
import json
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pressline.errors import PresslineError
from pressline.settings import Settings

SCHEMA_PATH = Path("schema") / "article-record.schema.json"
REQUEST_SCHEMA_PATH = Path("schema") / "request.schema.json"


def _load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = "_".join(str(p) for p in err["loc"]).upper()
            name = f"PRESSLINE_{loc}" if loc else "settings"
            lines.append(f"  {name}: {err['msg']}")
        sys.stderr.write("pressline: invalid settings:\n" + "\n".join(lines) + "\n")
        raise SystemExit(2) from None


def _require_redis(settings: Settings) -> None:
    if not settings.redis_url:
        sys.stderr.write("pressline: PRESSLINE_REDIS_URL is not set (or use `pressline run`)\n")
        raise SystemExit(2)


def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    from pressline.celery_app import create_app
    from pressline.connection import connect
    from pressline.intake import expand_items, jobs_for_items, submit_jobs, wait_for
    from pressline.stream import read_outcome

    _require_redis(settings)
    if not (args.items or args.feed or args.sitemap):
        sys.stderr.write("pressline submit: give ITEM..., --feed URL or --sitemap URL\n")
        return 2
    client = connect(settings.redis_url)
    celery = create_app(settings)
    refresh = datetime.now(UTC).isoformat() if args.refresh else ""
    jobs = list(jobs_for_items(expand_items(args.items), client, settings, refresh))
    submit_jobs(celery, settings, jobs)
    discovered, bad_sources = _submit_discovered(args, settings, client, celery)
    jobs += discovered
    for job in jobs:
        if args.json:
            print(json.dumps({"job_id": job.job_id, "item": job.item}), flush=True)
        else:
            print(f"{job.job_id}\t{job.item}", flush=True)
    if not args.wait:
        return 1 if bad_sources else 0
    ended = wait_for(client, settings, [j.job_id for j in jobs], timeout=args.timeout)
    failed = 0
    for job in jobs:
        outcome = ended.get(job.job_id)
        if outcome is None:
            failed += 1
            sys.stderr.write(f"unfinished\t{job.job_id}\t{job.item}\n")
            continue
        fields = read_outcome(client, outcome) or {}
        if outcome.kind == "record":
            print(fields.get("record", "{}"), flush=True)
        else:
            failed += 1
            sys.stderr.write(f"dead\t{job.job_id}\t{job.item}\t{fields.get('reason')}: "
                             f"{fields.get('message')}\n")
    return 1 if failed or bad_sources else 0


def _submit_discovered(args: argparse.Namespace, settings: Settings, client: Any,
                       celery: Any) -> tuple[list[Any], int]:
    """``--feed``/``--sitemap``: discover article URLs, submit those not seen fleet-wide.
    Returns the jobs and how many sources could not be read (each reported on stderr)."""
    from services.ingest.discover import check_source, discover, submit_new
    from services.ingest.fetch import make_client

    jobs: list[Any] = []
    bad = 0
    if not (args.feed or args.sitemap):
        return jobs, bad
    with make_client(settings) as http:
        for kind, url in [("feed", u) for u in args.feed] + [("sitemap", u) for u in args.sitemap]:
            try:
                found = discover(check_source(url), settings, client, http, kind=kind)
            except PresslineError as exc:
                sys.stderr.write(f"{kind} {url}: {exc.reason}: {exc.message}\n")
                bad += 1
                continue
            new = submit_new(celery, client, settings, found)
            sys.stderr.write(f"{kind} {url}: {len(found)} URLs, {len(new)} new\n")
            jobs += new
    return jobs, bad


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    from services.ingest.inbox import watch_main

    _require_redis(settings)
    return watch_main(args.dir, settings, settle=args.settle, once=args.once)


def cmd_bridge(args: argparse.Namespace, settings: Settings) -> int:
    from services.ingest.requests_bridge import main_loop

    _require_redis(settings)
    main_loop(settings, args.consumer, once=args.once)
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from pressline.celery_app import app
    from pressline.workers import worker_argv

    _require_redis(settings)
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    app.worker_main(worker_argv(settings, queues, args.concurrency, loglevel=args.loglevel))
    return 0


def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    from pressline.connection import connect
    from pressline.tail import ensure_group, read_entries

    _require_redis(settings)
    client = connect(settings.redis_url)
    stream = args.stream or settings.stream
    ensure_group(client, stream, args.group, from_start=args.from_start)
    entries = read_entries(
        client, stream, args.group, args.consumer, follow=args.follow,
        batch=min(100, args.count) if args.count else 100, claim_idle_ms=args.claim_idle_ms,
    )
    for printed, (_entry_id, fields, ack) in enumerate(entries, start=1):
        print(fields.get("record") or json.dumps(fields), flush=True)
        ack()
        if args.count and printed >= args.count:
            break
    return 0


def _extract_one(content: str | bytes, source: str, url: str | None,
                 settings: Settings) -> dict[str, Any]:
    from services.normalize.build import extract

    try:
        return {"record": json.loads(extract(content, source=source, url=url,
                                             settings=settings).to_json())}
    except PresslineError as exc:
        return {"error": {"reason": exc.reason, "message": exc.message}}
    except Exception as exc:  # a bug must not cost the other inputs their lines
        return {"error": {"reason": "internal_error", "message": f"{type(exc).__name__}: {exc}"}}


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from services.ingest.files import read_page_file

    failed = 0
    if args.jsonl:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                if not isinstance(req, dict):
                    raise ValueError("each line must be a JSON object")
                body = req.get("html", req.get("text"))
                if not isinstance(body, str):
                    raise ValueError('the object needs a string "html" or "text"')
                url = req.get("url")
                out = _extract_one(body, str(url or req.get("id") or "-"), url, settings)
            except ValueError as exc:
                req, out = {}, {"error": {"reason": "invalid_input", "message": str(exc)}}
            failed += "error" in out
            print(json.dumps({"id": req.get("id"), **out}, ensure_ascii=False), flush=True)
        return 1 if failed else 0
    for path in args.paths:
        try:
            content = read_page_file(path, settings)
            out = _extract_one(content, Path(path).name, None, settings)
        except PresslineError as exc:
            out = {"error": {"reason": exc.reason, "message": exc.message}}
        if "record" in out:
            print(json.dumps(out["record"], ensure_ascii=False), flush=True)
        else:
            failed += 1
            print(json.dumps({"source": path, **out}, ensure_ascii=False), flush=True)
    return 1 if failed else 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from pressline.runner import run_pipeline, summary_table

    try:
        result = run_pipeline(settings, args.items, concurrency=args.concurrency,
                              timeout=args.timeout, progress=not args.quiet)
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted: workers and Redis stopped\n")
        return 130
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for rec in result.records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    if not args.quiet:
        sys.stderr.write(summary_table(result) + "\n")
    return 1 if (result.dead or result.unfinished) else 0


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from pressline.record import record_schema
    from services.ingest.requests_bridge import request_schema

    texts = {path: json.dumps(schema, indent=2, sort_keys=True) + "\n"
             for path, schema in ((SCHEMA_PATH, record_schema()),
                                  (REQUEST_SCHEMA_PATH, request_schema()))}
    if args.check:
        stale = 0
        for path, text in texts.items():
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                sys.stderr.write(f"{path} is out of date: run `pressline schema --write`\n")
                stale += 1
        return 1 if stale else 0
    if args.write:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(texts[REQUEST_SCHEMA_PATH if args.request else SCHEMA_PATH])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pressline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("submit", help="queue URLs, files, directories, WARCs or - (stdin)",
                       epilog="exit status 1: a feed or sitemap could not be read, or (with "
                              "--wait) an item ended dead or unfinished")
    p.add_argument("items", nargs="*", help="URL, file, directory, FILE.warc[.gz] or -")
    p.add_argument("--feed", action="append", default=[], metavar="URL",
                   help="RSS, Atom or JSON Feed: submit its articles not seen before")
    p.add_argument("--sitemap", action="append", default=[], metavar="URL",
                   help="sitemap or sitemap index: submit its URLs not seen before")
    p.add_argument("--json", action="store_true", help="print JSON lines {job_id, item}")
    p.add_argument("--refresh", action="store_true",
                   help="new job ids: process items again although done before (new versions)")
    p.add_argument("--wait", action="store_true", help="wait and print the records")
    p.add_argument("--timeout", type=float, default=None, help="give up waiting after N s")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("watch", help="submit every file dropped into DIR (the inbox)")
    p.add_argument("dir")
    p.add_argument("--settle", type=float, default=None,
                   help="seconds a file must be unchanged (default PRESSLINE_INBOX_SETTLE)")
    p.add_argument("--once", action="store_true",
                   help="take the files there now, wait for their outcomes, file them, exit")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("bridge", help="queue the requests producers XADD to pressline:requests")
    p.add_argument("--consumer", default=socket.gethostname(),
                   help="a stable name, so pending requests are recovered after a crash")
    p.add_argument("--once", action="store_true", help="stop when no request is left")
    p.set_defaults(func=cmd_bridge)

    p = sub.add_parser("worker", help="start a Celery worker")
    p.add_argument("--queues", default="ingest,normalize")
    p.add_argument("--concurrency", type=int, default=None)
    p.add_argument("--loglevel", default="INFO")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("tail", help="read records with a consumer group")
    p.add_argument("--group", default="pressline-tail")
    p.add_argument("--consumer", default=socket.gethostname(),
                   help="a stable name, so pending entries are recovered after a crash")
    p.add_argument("--from-start", action="store_true", help="a new group starts at 0")
    p.add_argument("--count", type=int, default=0, help="stop after N entries")
    p.add_argument("--follow", action="store_true", help="keep waiting for new entries")
    p.add_argument("--stream", default=None, help="another stream, e.g. pressline:dead")
    p.add_argument("--claim-idle-ms", type=int, default=60_000)
    p.set_defaults(func=cmd_tail)

    p = sub.add_parser("extract", help="normalize files locally, no Redis, no Celery")
    p.add_argument("paths", nargs="*")
    p.add_argument("--jsonl", action="store_true", help='stdin lines {"id","url"?,"html"|"text"}')
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("run", help="the whole pipeline on this machine")
    p.add_argument("items", nargs="+")
    p.add_argument("--out", default=None, help="write records here instead of stdout")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--timeout", type=float, default=None)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("schema", help="print or write the record's (and request's) JSON Schema")
    p.add_argument("--write", action="store_true", help="write both schema files")
    p.add_argument("--check", action="store_true", help="fail when a schema file is stale")
    p.add_argument("--request", action="store_true", help="print the request schema")
    p.set_defaults(func=cmd_schema)

    try:
        from pressline.cli_ops import add_ops_commands
    except ImportError:
        pass
    else:
        add_ops_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "extract" and not args.jsonl and not args.paths:
        build_parser().error("extract needs PATH... or --jsonl")
    settings = _load_settings()
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
