"""Checks of the message catalog against the code; ``python -m locales.checks`` prints them.

Every ``tr``/``trn`` message in our packages (code and page templates) must have a Chinese
translation with the same placeholders, every catalog entry must still be used, and every
call must pass its message as a literal (else it cannot be found and translated).
"""

from __future__ import annotations

import ast
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from jinja2 import Environment
from jinja2.ext import extract_from_ast

from locales.catalog import CATALOG_DIR, Language, catalog_files

PACKAGES = ("adapters", "bots", "jobs", "memory", "twins", "locales")
"""The packages whose user-facing text goes through the catalog."""

ROOT = CATALOG_DIR.parent
KEYWORDS = {"tr": 1, "trn": 2, "N_": 1}
"""Function name → how many leading literal arguments are messages."""


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """One message as the code writes it: the singular text, the plural if any, where."""

    singular: str
    plural: str | None
    where: str

    @property
    def key(self) -> str:
        """The catalog key: the singular text."""
        return self.singular


def source_messages(root: Path = ROOT) -> tuple[list[SourceMessage], list[str]]:
    """Every message passed to ``tr``/``trn`` in our packages, and calls that pass none."""
    found: list[SourceMessage] = []
    problems: list[str] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _called_name(node.func)
                if name not in KEYWORDS:
                    continue
                where = f"{path.relative_to(root)}:{node.lineno}"
                texts = [_literal(arg) for arg in node.args[: KEYWORDS[name]]]
                if len(texts) < KEYWORDS[name] or any(text is None for text in texts):
                    problems.append(f"{where}: {name}() needs its message as a string literal")
                    continue
                singular = texts[0] or ""
                plural = texts[1] if len(texts) > 1 else None
                found.append(SourceMessage(singular, plural, where))
        _template_messages(root, package, found, problems)
    return found, problems


def _template_messages(
    root: Path, package: str, found: list[SourceMessage], problems: list[str]
) -> None:
    """The ``tr``/``trn`` messages of the package's page templates (``templates/*.html``)."""
    environment = Environment()
    for path in sorted((root / package).rglob("templates/*.html")):
        tree = environment.parse(path.read_text(encoding="utf-8"))
        calls = extract_from_ast(tree, gettext_functions=("tr", "trn"), babel_style=True)
        for line, name, args in calls:
            where = f"{path.relative_to(root)}:{line}"
            texts = (args if isinstance(args, tuple) else (args,))[: KEYWORDS[name]]
            if len(texts) < KEYWORDS[name] or not all(isinstance(t, str) for t in texts):
                problems.append(f"{where}: {name}() needs its message as a string literal")
                continue
            plural = texts[1] if len(texts) > 1 else None
            found.append(SourceMessage(str(texts[0]), str(plural) if plural else None, where))


def catalog_problems(language: Language = "zh", root: Path = ROOT) -> list[str]:
    """What is wrong between the code and ``language``'s catalog; empty when all is well."""
    messages, problems = source_messages(root)
    entries: dict[str, tuple[str, object]] = {}
    for path in catalog_files(language):
        with path.open("rb") as file:
            catalog: Catalog = read_po(file)
        for entry in catalog:
            if not entry.id:
                continue
            key = entry.id if isinstance(entry.id, str) else entry.id[0]
            if key in entries:
                problems.append(f"{path.name}: {key!r} is also in {entries[key][0]}")
                continue
            if entry.fuzzy:
                problems.append(f"{path.name}: {key!r} is marked fuzzy")
            entries[key] = (path.name, entry.string)
    used: set[str] = set()
    for message in messages:
        used.add(message.key)
        if message.key not in entries:
            problems.append(f"{message.where}: no {language} translation of {message.key!r}")
            continue
        file_name, translated = entries[message.key]
        forms = list(translated) if isinstance(translated, (tuple, list)) else [translated]
        if not all(isinstance(form, str) and form for form in forms):
            problems.append(f"{file_name}: empty {language} translation of {message.key!r}")
            continue
        expected = fields(message.plural if message.plural is not None else message.singular)
        if message.plural is not None and not fields(message.singular) <= expected:
            problems.append(f"{message.where}: singular has fields the plural lacks")
        for form in forms:
            if fields(str(form)) != expected:
                problems.append(
                    f"{file_name}: placeholders of {message.key!r} differ: "
                    f"{sorted(fields(str(form)))} vs {sorted(expected)}"
                )
    for key, (file_name, _) in entries.items():
        if key not in used:
            problems.append(f"{file_name}: {key!r} is no longer used in the code")
    return problems


def fields(text: str) -> set[str]:
    """The named fields of a format string (``{name}``, ``{count:d}`` → name, count)."""
    try:
        return {
            name.split(".")[0].split("[")[0]
            for _, name, _, _ in string.Formatter().parse(text)
            if name is not None
        }
    except ValueError:
        return {"<malformed>"}


def missing_entries(language: Language = "zh", root: Path = ROOT) -> Iterator[str]:
    """``.po`` stubs for the messages ``language`` lacks (to paste and translate)."""
    messages, _ = source_messages(root)
    known: set[str] = set()
    for path in catalog_files(language):
        with path.open("rb") as file:
            known.update(e.id if isinstance(e.id, str) else e.id[0] for e in read_po(file) if e.id)
    seen: set[str] = set()
    for message in messages:
        if message.key in known or message.key in seen:
            continue
        seen.add(message.key)
        yield f"#: {message.where}"
        yield f"msgid {_po_quote(message.singular)}"
        if message.plural is not None:
            yield f"msgid_plural {_po_quote(message.plural)}"
            yield 'msgstr[0] ""'
        else:
            yield 'msgstr ""'
        yield ""


def _po_quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def main() -> int:
    """Print the catalog's problems, then stubs for missing messages; 1 when any."""
    problems = catalog_problems()
    for problem in problems:
        print(problem)
    stubs = list(missing_entries())
    if stubs:
        print("\n# missing entries, to translate:\n")
        print("\n".join(stubs))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
