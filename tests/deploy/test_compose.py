"""compose.yaml is valid under the Compose specification and wires the stack together."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_schema() -> dict[str, Any]:
    """The Compose specification schema, as vendored by check-jsonschema."""
    text = (
        resources.files("check_jsonschema")
        .joinpath("builtin_schemas/vendor/compose-spec.json")
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    return data


def test_compose_file_matches_the_specification(compose: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(compose_schema())
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["hearth"]["depends_on"] = {"postgres": {"condition": "sometimes"}}
    broken["services"]["qdrant"]["healthcheck"]["interval"] = 5
    assert list(jsonschema.Draft7Validator(compose_schema()).iter_errors(broken))


def test_services_are_wired_by_environment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"hearth", "postgres", "qdrant"}
    env = services["hearth"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["QDRANT_URL"] == "http://qdrant:6333"
    for name in ("postgres", "qdrant"):
        assert services["hearth"]["depends_on"][name]["condition"] == "service_healthy"
        assert "healthcheck" in services[name]
    named = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in named


def test_hearths_health_check_asks_healthz(compose: dict[str, Any]) -> None:
    hearth = compose["services"]["hearth"]
    port = hearth["environment"]["HEARTH_METRICS_PORT"]
    assert f"http://127.0.0.1:{port}/healthz" in " ".join(hearth["healthcheck"]["test"])
