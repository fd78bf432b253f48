"""pressline: news and article pages in, clean article records on a Redis Stream out.

The public surface for library use is small; everything else is an implementation module.

    from pressline import extract
    record = extract(open("page.html", "rb").read(), source="page.html")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pressline.errors import PermanentError, PresslineError, TransientError
from pressline.record import SCHEMA_VERSION, ArticleRecord
from pressline.settings import Settings

if TYPE_CHECKING:
    from services.normalize.build import extract

__all__ = [
    "SCHEMA_VERSION",
    "ArticleRecord",
    "PermanentError",
    "PresslineError",
    "Settings",
    "TransientError",
    "extract",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: the normalize stage pulls in trafilatura and lxml, which the
    # submitter and the stream readers do not need.
    if name == "extract":
        from services.normalize.build import extract

        return extract
    raise AttributeError(f"module 'pressline' has no attribute {name!r}")
