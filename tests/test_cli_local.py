"""Commands that need no running workers: extract, run, schema, settings validation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pressline.settings import Settings
from pressline.workers import pool_children
from services.normalize.build import extract
from tests.conftest import ARTICLE_HTML, ROOT, SEEDS, cli


def test_extract_jsonl_keeps_order_and_ids() -> None:
    """One output line per input line, in input order, echoing ids; errors stay in place."""
    seed = (SEEDS / "003_1e8fafeeda8606d8.txt").read_text()
    lines = [
        {"id": "b-2", "url": "https://news.example.org/a", "html": ARTICLE_HTML},
        {"id": "a-1", "text": "too short"},
        {"id": 7, "text": seed},
    ]
    stdin = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n"
    proc = cli("extract", "--jsonl", stdin=stdin)
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["b-2", "a-1", 7, None]
    assert out[0]["record"]["url"] == "https://news.example.org/a"
    assert out[0]["record"]["site"]
    assert out[1]["error"]["reason"] == "empty_extraction"
    assert out[2]["record"]["title"].startswith("China's High-Level Meeting")
    assert out[3]["error"]["reason"] == "invalid_input"
    assert proc.returncode == 1


def test_extract_paths_prints_records() -> None:
    """`pressline extract PATH...` prints one JSON record a line without Redis or Celery."""
    proc = cli("extract", *sorted(str(p) for p in SEEDS.glob("*.txt")),
               env={"PRESSLINE_REDIS_URL": ""})
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(records) == 5
    assert all(r["word_count"] > 200 for r in records)


def test_extract_is_a_plain_function() -> None:
    """The library path (`from pressline import extract`) takes bytes, gives a typed record."""
    import pressline

    assert pressline.extract is extract
    rec = pressline.extract(ARTICLE_HTML.encode(), source="page.html")
    assert isinstance(rec, pressline.ArticleRecord)
    assert rec.title == "Harbour town votes to restore its old lighthouse"
    assert rec.input_format == "html"
    assert rec.content_hash and rec.word_count == len(rec.text.split())


def test_run_seeds_prints_five_records() -> None:
    """`pressline run seeds/` starts its own Redis and workers and prints five records."""
    proc = cli("run", "seeds/", env={"PRESSLINE_REDIS_URL": ""}, timeout=240)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(x) for x in proc.stdout.splitlines()]
    assert sorted(r["source"] for r in records) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert "5 records, 0 failures" in proc.stderr
    assert "(no headline)" in proc.stderr  # seed 000 has none


def test_invalid_setting_names_the_variable() -> None:
    """A bad value fails at start with a message naming the environment variable."""
    proc = cli("extract", "seeds/", env={"PRESSLINE_STREAM_MAXLEN": "lots"})
    assert proc.returncode == 2
    assert "PRESSLINE_STREAM_MAXLEN" in proc.stderr


def test_inconsistent_time_limits_rejected() -> None:
    """The visibility timeout must outlast the hard time limit."""
    proc = cli("extract", "seeds/", env={"PRESSLINE_VISIBILITY_TIMEOUT": "30",
                                         "PRESSLINE_TASK_TIME_LIMIT": "90"})
    assert proc.returncode == 2
    assert "PRESSLINE_VISIBILITY_TIMEOUT" in proc.stderr


def test_settings_read_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from PRESSLINE_* variables, typed."""
    monkeypatch.setenv("PRESSLINE_STREAM", "other:stream")
    monkeypatch.setenv("PRESSLINE_STREAM_MAXLEN", "5000")
    settings = Settings()
    assert (settings.stream, settings.stream_maxlen) == ("other:stream", 5000)


def test_record_schema_is_current() -> None:
    """The committed JSON Schema matches the model (`pressline schema --write`)."""
    proc = cli("schema", "--check")
    assert proc.returncode == 0, proc.stderr
    schema = json.loads((ROOT / "schema" / "article-record.schema.json").read_text())
    assert "schema_version" in schema["properties"]


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in pool_children(todo.pop()):
            found.add(child)
            todo.append(child)
    return found


def test_run_stops_everything_on_ctrl_c(http_server: str) -> None:
    """Ctrl-C during `pressline run` stops its workers and its Redis, and exits 130."""
    env = {**os.environ, "PRESSLINE_REDIS_URL": "", "PRESSLINE_FETCH_ALLOWLIST": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, "-m", "pressline.cli", "run", f"{http_server}/hang"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    started: set[int] = set()
    while time.monotonic() < deadline:  # wait for Redis and the worker's pool to be up
        started = _descendants(proc.pid)
        if len(started) >= 3:
            break
        time.sleep(0.2)
    assert len(started) >= 3, "run did not start Redis and a worker"
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"interrupted" in err
    time.sleep(0.5)
    alive = [p for p in started if Path(f"/proc/{p}").exists()
             and "(Z)" not in Path(f"/proc/{p}/stat").read_text().split(")")[1][:4]]
    assert alive == []


def _parser_commands() -> dict[str, list[str]]:
    import argparse

    from pressline.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    out: dict[str, list[str]] = {}
    for name, parser in sub.choices.items():
        out[name] = [
            max(a.option_strings, key=len) if a.option_strings else a.dest.upper()
            for a in parser._actions
            if "-h" not in a.option_strings
        ]
    return out


def test_readme_command_table_matches_the_cli() -> None:
    """README's command table lists every command and flag the CLI has, and no others."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| `")]
    documented = {
        cells[1].strip().strip("`"): [f.strip().strip("`") for f in cells[3].split(",")]
        for cells in rows
    }
    assert documented == _parser_commands()
