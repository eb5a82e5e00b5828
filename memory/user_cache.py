"""Files Hearth keeps in the user's cache folder: built once per machine, read by every process."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)


def cache_path(name: str) -> Path:
    """``name`` in Hearth's cache folder (``$XDG_CACHE_HOME/hearth``, else ``~/.cache/hearth``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hearth" / name


def write_json(path: Path, value: object) -> None:
    """Write ``value`` as JSON to ``path``, whole or not at all (a concurrent writer may win);
    a folder that cannot be written only costs the cache."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".part", delete=False
        ) as part:
            json.dump(value, part, ensure_ascii=False)
        os.replace(part.name, path)
    except OSError as error:
        log.debug("%s is not cached: %s", path.name, error)
