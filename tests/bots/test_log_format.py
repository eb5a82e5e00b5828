"""``HEARTH_LOG_FORMAT=json``: every log line is one JSON object a collector can parse."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from bots.log_format import JsonFormatter
from tests.fakes.hearth_process import ENV_PREFIXES
from tests.fakes.telegram_api import free_tcp_port

HEARTH = str(Path(sys.executable).parent / "hearth")


def run_hearth(
    command: str, folder: Path, timeout: float, **settings: str
) -> subprocess.CompletedProcess[str]:
    """``hearth <command>`` in ``folder`` (also its data folder) with ``settings`` set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    env.update(settings, HEARTH_DATA_DIR=str(folder))
    return subprocess.run(
        [HEARTH, command],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_a_record_becomes_one_json_line_with_its_exception() -> None:
    logger = logging.getLogger("hearth.test")
    try:
        raise ValueError("the shard is full")
    except ValueError:
        record = logger.makeRecord(
            "hearth.test",
            logging.ERROR,
            __file__,
            1,
            "could not store %s message(s) for «%s»",
            (3, "Wei 魏"),
            sys.exc_info(),
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "hearth.test"
    assert entry["message"] == "could not store 3 message(s) for «Wei 魏»"
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: the shard is full" in entry["exception"]
    assert entry["time"].endswith("+00:00")

    plain = logger.makeRecord("hearth.test", logging.INFO, __file__, 1, "fine", (), None)
    assert "exception" not in json.loads(JsonFormatter().format(plain))


def test_hearth_run_logs_json_lines_when_asked(tmp_path: Path) -> None:
    done = run_hearth(
        "run",
        tmp_path,
        timeout=120,
        HEARTH_LOG_FORMAT="JSON",
        TELEGRAM_BOT_TOKEN="123:unreachable",
        TELEGRAM_API_URL=f"http://127.0.0.1:{free_tcp_port()}/bot",  # nothing listens there
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("hearth: no platform adapter could start")  # for the operator
    entries = [json.loads(line) for line in lines[:-1]]  # every log line parses
    assert entries and all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(e["logger"].startswith("alembic") and e["level"] == "INFO" for e in entries)
    failed = [e for e in entries if e["message"] == "the telegram adapter failed to start"]
    assert len(failed) == 1 and failed[0]["level"] == "ERROR"
    assert "Traceback" in failed[0]["exception"]


def test_an_unknown_log_format_is_a_configuration_error(tmp_path: Path) -> None:
    done = run_hearth("migrate", tmp_path, timeout=60, HEARTH_LOG_FORMAT="xml")
    assert done.returncode == 2
    assert "HEARTH_LOG_FORMAT" in done.stderr
