"""compose.yaml is valid, read by a real Compose implementation, and wires the stack together.

``docker-compose config`` (Compose 1.29, Debian's package) resolves the file without a Docker
engine; .ci/run installs it. Where it is missing these tests are skipped, unless
``HEARTH_REQUIRE_COMPOSE`` is set (CI), where that is a failure.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bots.settings import HearthSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
WIRED_BY_COMPOSE = {
    "HEARTH_DATA_DIR",
    "DATABASE_URL",
    "HEARTH_METRICS_PORT",
    "HEARTH_METRICS_LISTEN",
}
"""Settings compose.yaml sets itself (the operator's .env does not)."""


def compose_schema() -> dict[str, Any]:
    """The Compose specification schema, as vendored by check-jsonschema."""
    text = (
        resources.files("check_jsonschema")
        .joinpath("builtin_schemas/vendor/compose-spec.json")
        .read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def setting_names() -> set[str]:
    """Every environment variable Hearth reads."""
    return {str(f.alias) for f in HearthSettings.model_fields.values() if f.alias}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("HEARTH_REQUIRE_COMPOSE"):
            pytest.fail("docker-compose is not installed (apt-get install docker-compose)")
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    return found


def resolve(docker_compose: str, tmp_path: Path, **env: str) -> dict[str, Any]:
    """``docker-compose config`` with only ``env`` set (and no .env file)."""
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    done = subprocess.run(
        [docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE), "config"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = yaml.safe_load(done.stdout)
    return data


def hearth_env(config: dict[str, Any]) -> dict[str, str]:
    env = config["services"]["hearth"]["environment"]
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def test_compose_file_matches_the_specification(compose: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(compose_schema())
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_rejects_a_broken_file(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["hearth"]["depends_on"] = {"postgres": {"condition": "sometimes"}}
    broken["services"]["qdrant"]["healthcheck"]["interval"] = 5
    assert list(jsonschema.Draft7Validator(compose_schema()).iter_errors(broken))


def test_compose_rejects_a_broken_file(docker_compose: str, tmp_path: Path) -> None:
    """The real implementation is strict too (so the tests below can fail)."""
    broken = tmp_path / "compose.yaml"
    text = COMPOSE.read_text("utf-8").replace("condition: service_healthy", "condition: 7", 1)
    broken.write_text(text)
    done = subprocess.run(
        [docker_compose, "-f", str(broken), "config"],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0


@pytest.mark.parametrize(
    "tokens",
    [
        {"TELEGRAM_BOT_TOKEN": "123:telegram"},
        {"DISCORD_BOT_TOKEN": "discord.token"},
        {"TELEGRAM_BOT_TOKEN": "123:telegram", "DISCORD_BOT_TOKEN": "discord.token"},
    ],
    ids=["telegram", "discord", "both"],
)
def test_compose_runs_either_platform_or_both(
    docker_compose: str, tmp_path: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = resolve(docker_compose, tmp_path, **tokens, LLM_PROVIDER="openai", LLM_MODEL="m")
    env = hearth_env(config)
    for name in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
        assert env[name] == tokens.get(name, "")
    # What the container gets loads into the settings Hearth runs with.
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = HearthSettings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.telegram_bot_token is not None) == ("TELEGRAM_BOT_TOKEN" in tokens)
    assert (settings.discord_bot_token is not None) == ("DISCORD_BOT_TOKEN" in tokens)
    assert settings.llm_provider == "openai"
    assert settings.llm_model == "m"
    assert settings.resolved_database_url().startswith("postgresql+asyncpg://hearth:")
    assert settings.qdrant_url == "http://qdrant:6333"
    assert settings.data_dir == Path("/var/lib/hearth")
    assert settings.metrics_port == 9464
    assert settings.embedding_batch_size == 32  # empty: Hearth's default


def test_every_setting_passes_through_compose(docker_compose: str, tmp_path: Path) -> None:
    everything = {name: f"value-of-{name}" for name in setting_names() - WIRED_BY_COMPOSE}
    env = hearth_env(resolve(docker_compose, tmp_path, **everything))
    assert {name: env.get(name) for name in everything} == everything


def test_env_example_lists_every_setting() -> None:
    text = (ROOT / ".env.example").read_text("utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))
    assert setting_names() - WIRED_BY_COMPOSE <= listed
    assert {"COMPOSE_PROJECT_NAME", "POSTGRES_PASSWORD"} <= listed


def start_command(
    docker_compose: str, tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the hearth service's command as the container would, with a stand-in ``hearth``."""
    config = resolve(docker_compose, tmp_path, **env)
    command = [part.replace("$$", "$") for part in config["services"]["hearth"]["command"]]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    stand_in = bin_dir / "hearth"
    stand_in.write_text('#!/bin/sh\necho "hearth $*"\n')
    stand_in.chmod(0o755)
    container_env = {**hearth_env(config), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(
        command, env=container_env, capture_output=True, text=True, timeout=30, check=False
    )


def test_a_stack_without_tokens_refuses_to_start(docker_compose: str, tmp_path: Path) -> None:
    done = start_command(docker_compose, tmp_path)
    assert done.returncode == 64
    assert "set TELEGRAM_BOT_TOKEN, DISCORD_BOT_TOKEN or both" in done.stderr
    assert "hearth run" not in done.stdout


def test_a_stack_with_a_token_runs_hearth(docker_compose: str, tmp_path: Path) -> None:
    done = start_command(docker_compose, tmp_path, DISCORD_BOT_TOKEN="discord.token")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hearth run"


def test_workers_run_the_bot_image_with_its_settings(compose: dict[str, Any]) -> None:
    services = compose["services"]
    worker, hearth = services["worker"], services["hearth"]
    assert worker["command"] == ["hearth", "worker"]
    assert worker["image"] == hearth["image"]
    assert worker["environment"] == hearth["environment"]
    assert worker["deploy"]["replicas"] >= 1
    assert hearth["environment"]["HEARTH_EMBEDDING"] == "${HEARTH_EMBEDDING:-off}"


def test_services_are_wired_by_environment(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"hearth", "postgres", "qdrant"}
    env = services["hearth"]["environment"]
    assert "@postgres:5432/" in env["DATABASE_URL"]
    for name in ("postgres", "qdrant"):
        assert services["hearth"]["depends_on"][name]["condition"] == "service_healthy"
        assert "healthcheck" in services[name]
    named = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in named


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    built = {s["image"] for s in compose["services"].values() if "build" in s}
    for name, service in compose["services"].items():
        if "build" in service or service["image"] in built:  # the image this file builds
            continue
        image = service["image"]
        assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+(\.\d+)?", image), f"{name}: {image}"
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    assert base is not None
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base.group(1))


def test_the_data_volume_is_the_data_dir_and_the_image_lets_hearth_write_it(
    compose: dict[str, Any],
) -> None:
    hearth = compose["services"]["hearth"]
    data_dir = hearth["environment"]["HEARTH_DATA_DIR"]
    assert f"hearth-data:{data_dir}" in hearth["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)[-1]
    assert user not in {"root", "0"}
    assert f"mkdir -p {data_dir}" in dockerfile
    assert f"chown {user}:{user} {data_dir}" in dockerfile
    # Steps after USER run as that user: the directory must be made before it.
    assert dockerfile.index(f"chown {user}:{user} {data_dir}") < dockerfile.index(f"USER {user}")


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run_health_check(compose: dict[str, Any], port: int) -> int:
    hearth = compose["services"]["hearth"]
    metrics_port = hearth["environment"]["HEARTH_METRICS_PORT"]
    test = hearth["healthcheck"]["test"]
    assert test[0] == "CMD"
    assert f"http://127.0.0.1:{metrics_port}/healthz" in test[-1]
    assert test[1] == "python"  # the image's interpreter; here, the one running the tests
    argv = [sys.executable] + [part.replace(f":{metrics_port}/", f":{port}/") for part in test[2:]]
    return subprocess.run(argv, capture_output=True, timeout=30, check=False).returncode


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False), (500, False)])
def test_the_health_check_asks_healthz_and_fails_on_503(
    compose: dict[str, Any],
    health_server: http.server.HTTPServer,
    status: int,
    healthy: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_Health, "status", status)
    assert (run_health_check(compose, health_server.server_address[1]) == 0) is healthy


def test_the_health_check_fails_when_nothing_listens(compose: dict[str, Any]) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Health)
    port = server.server_address[1]
    server.server_close()
    assert run_health_check(compose, port) != 0
