"""Sidecar metadata: NAME.json next to a dropped file flows into the record."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import redis

from pressline.record import ArticleRecord
from pressline.settings import Settings
from tests.conftest import ARTICLE_HTML, SEEDS
from tests.test_pipeline import run_items

pytestmark = pytest.mark.usefixtures("workers")


def test_sidecar_fields_reach_the_record(settings: Settings, rclient: redis.Redis,
                                         tmp_path: Path) -> None:
    """url, site and fetched_at from story.html.json win over the page, with provenance."""
    page = tmp_path / "story.html"
    page.write_text(ARTICLE_HTML.replace("lighthouse", f"lighthouse {uuid.uuid4().hex[:6]}"))
    (tmp_path / "story.html.json").write_text(json.dumps({
        "url": "https://gazette.example/2024/03/05/lighthouse", "site": "Gazette Online",
        "fetched_at": "2024-03-05T10:15:00+01:00"}))
    [(kind, fields)] = run_items(settings, rclient, [str(page)])
    assert kind == "record", fields
    rec = ArticleRecord.model_validate_json(fields["record"])
    assert rec.source == "story.html"
    assert rec.url == "https://gazette.example/2024/03/05/lighthouse"
    assert rec.domain == "gazette.example"
    assert rec.site == "Gazette Online"  # the page itself says "The Coastal Gazette"
    assert rec.fetched_at is not None
    assert rec.fetched_at.isoformat() == "2024-03-05T10:15:00+01:00"
    assert {rec.provenance[f].source for f in ("url", "site", "fetched_at")} == {"sidecar"}
    assert rec.provenance["url"].raw == "https://gazette.example/2024/03/05/lighthouse"


def test_stem_sidecar_for_text_capture(settings: Settings, rclient: redis.Redis,
                                       tmp_path: Path) -> None:
    """capture.json next to capture.txt gives a text capture its URL (site from the URL)."""
    page = tmp_path / "capture.txt"
    page.write_text((SEEDS / "003_1e8fafeeda8606d8.txt").read_text() + f"\n{uuid.uuid4().hex}")
    (tmp_path / "capture.json").write_text(json.dumps({"url": "https://www.news.example/a/1"}))
    [(kind, fields)] = run_items(settings, rclient, [str(page)])
    assert kind == "record"
    rec = ArticleRecord.model_validate_json(fields["record"])
    assert rec.url == "https://www.news.example/a/1"
    assert rec.site == "news.example"
    assert rec.provenance["url"].source == "sidecar"


def test_broken_sidecar_dead_letters(settings: Settings, rclient: redis.Redis,
                                     tmp_path: Path) -> None:
    """A sidecar that is not JSON makes the file a dead letter naming the sidecar."""
    page = tmp_path / "bad.html"
    page.write_text(ARTICLE_HTML)
    (tmp_path / "bad.html.json").write_text("{url: nope")
    [(kind, fields)] = run_items(settings, rclient, [str(page)])
    assert kind == "dead"
    assert fields["reason"] == "invalid_input"
    assert "bad.html.json" in fields["message"]
