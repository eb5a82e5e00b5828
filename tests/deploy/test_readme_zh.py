"""README.zh-CN.md names only commands, options and environment variables the code has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bots.command_catalog import COMMANDS_BY_NAME
from bots.command_words import canonical_words
from bots.settings import HearthSettings

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "README.zh-CN.md"

OTHER_SLASH_WORDS: dict[str, tuple[str, str]] = {
    "as": ("adapters/playground/playground_adapter.py", '"/as"'),
    "quit": ("adapters/playground/playground_adapter.py", '"/quit"'),
    "healthz": ("bots/ops_server.py", '"/healthz"'),
    "metrics": ("bots/ops_server.py", "/metrics"),
    "admin": ("bots/web/admin_routes.py", '"/admin"'),
}
"""Slash words that are not chat commands, and the file (and text) that has each."""
BOTFATHER = frozenset({"newbot", "setprivacy"})
"""Telegram's own @BotFather commands, named in the set-up steps."""
OTHER_ENV: dict[str, tuple[str, ...]] = {
    "HEARTH_TEST_POSTGRES_URL": ("tests/conftest.py", "scripts/ensure-postgres"),
}
"""Variables read outside the settings (by the test suite), and the files that read them."""

SPAN = re.compile(r"`([^`\n]+)`")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SLASH = re.compile(r"(?<![\w/.:@<-])/([a-z][a-z_]*)\b(?![/.\w])")
COMMAND_SPAN = re.compile(r"^/([a-z]+)(?:\s+(.*))?$")
ENV = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9_])")
SUBCOMMAND = re.compile(r"(?<![\w/.@-])hearth ([a-z]+)\b")
WHO_ADMIN = "管理员"


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text("utf-8")


def code_spans(text: str) -> list[str]:
    """Inline code spans and fenced blocks (blocks first, so their backticks are not spans)."""
    blocks = FENCE.findall(text)
    rest = FENCE.sub("", text)
    return blocks + SPAN.findall(rest)


def command_spans(text: str) -> list[tuple[str, str]]:
    """``(name, arguments)`` of every code span that is a chat command as typed."""
    found = []
    for span in SPAN.findall(FENCE.sub("", text)):
        match = COMMAND_SPAN.match(span.strip())
        if match and match.group(1) in COMMANDS_BY_NAME:
            found.append((match.group(1), match.group(2) or ""))
    return found


def test_every_slash_word_is_a_command_or_accounted_for(guide: str) -> None:
    unknown = set()
    for span in code_spans(guide):
        for name in SLASH.findall(span):
            if name in COMMANDS_BY_NAME or name in BOTFATHER:
                continue
            source = OTHER_SLASH_WORDS.get(name)
            if source is None or source[1] not in (ROOT / source[0]).read_text("utf-8"):
                unknown.add(f"/{name}")
    assert not unknown, f"README.zh-CN.md names commands the code lacks: {sorted(unknown)}"
    assert len(command_spans(guide)) >= len(COMMANDS_BY_NAME)


def test_every_command_in_the_catalog_is_listed(guide: str) -> None:
    listed = {name for name, _ in command_spans(guide)}
    assert listed == set(COMMANDS_BY_NAME)


def test_command_words_are_in_the_usage_line(guide: str) -> None:
    """``/settings language zh``: each English keyword is one the command's usage names;
    a Chinese word is one :mod:`bots.command_words` knows."""
    wrong = []
    for name, args in command_spans(guide):
        usage = set(re.findall(r"[a-z]+", COMMANDS_BY_NAME[name].usage))
        for word in args.split():
            english = re.fullmatch(r"[a-z]+", word) is not None
            chinese = re.search(r"[\u4e00-\u9fff]", word) is not None
            if (english and word not in usage) or (chinese and canonical_words([word]) == (word,)):
                wrong.append(f"/{name} {args}: {word}")
    assert not wrong, wrong


def test_admin_rows_are_admin_commands(guide: str) -> None:
    rows = [line.split("|") for line in guide.splitlines() if line.startswith("| `/")]
    assert rows
    for cells in rows:
        names = set(re.findall(r"`/([a-z]+)", cells[1]))
        if cells[2].strip() == WHO_ADMIN:
            assert all(COMMANDS_BY_NAME[n].checks_admin for n in names), cells[1]


def test_every_environment_variable_exists(guide: str) -> None:
    settings = {field.alias for field in HearthSettings.model_fields.values() if field.alias}
    compose_text = (ROOT / "compose.yaml").read_text("utf-8")
    compose = yaml.safe_load(compose_text)
    in_compose = set(ENV.findall(compose_text))
    for service in compose["services"].values():
        in_compose |= set(service.get("environment", {}))
    unknown = set()
    for name in set(ENV.findall(guide)):
        if name in settings or name in in_compose:
            continue
        files = OTHER_ENV.get(name, ())
        if not files or not all(name in (ROOT / f).read_text("utf-8") for f in files):
            unknown.add(name)
    assert not unknown, f"README.zh-CN.md names variables the code lacks: {sorted(unknown)}"


def test_cli_subcommands_exist(guide: str) -> None:
    cli = (ROOT / "bots" / "cli.py").read_text("utf-8")
    for name in set(SUBCOMMAND.findall(guide)):
        assert f'add_parser(\n        "{name}"' in cli or f'add_parser("{name}"' in cli, name


def test_note_on_chinese_command_words_matches_the_code(guide: str) -> None:
    """The guide says Chinese command words are not wired in; once a handler calls
    ``canonical_words``, that sentence must go."""
    wired = any(
        "canonical_words" in path.read_text("utf-8")
        for folder in ("bots", "adapters")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "command_words.py"
    )
    if wired:
        assert "还没有接入" not in guide


def test_readme_links_the_guide() -> None:
    head = (ROOT / "README.md").read_text("utf-8").splitlines()[:5]
    assert any("中文说明" in line and "README.zh-CN.md" in line for line in head)


def test_checks_catch_a_made_up_command_and_variable() -> None:
    fake = "`/twinn on` and `HEARTH_NO_SUCH_SETTING=1`"
    assert "twinn" not in COMMANDS_BY_NAME
    assert SLASH.findall(code_spans(fake)[0]) == ["twinn"]
    assert ENV.findall(fake) == ["HEARTH_NO_SUCH_SETTING"]
