"""Configuration of the production profile, checked without starting anything:
HAProxy accepts both generated configurations, the compose copy is up to date, images
are pinned, and the Dockerfiles copy what exists and start a known role.
(`make deploy-check` adds hadolint and dclint.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.cluster.compose import COMPOSE_CFG, compose_config
from bot.cluster.container import ROLES
from bot.cluster.haproxy import haproxy_binary, render_config
from bot.cluster.layout import Layout
from bot.config import PROJECT_ROOT

DOCKERFILES = sorted((PROJECT_ROOT / "deploy" / "docker").glob("*.Dockerfile"))
COMPOSE = PROJECT_ROOT / "deploy" / "compose" / "compose.yaml"


def haproxy_check(text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    config = tmp_path / "haproxy.cfg"
    config.write_text(text.replace("/var/lib/haproxy/admin.sock", str(tmp_path / "admin.sock")))
    return subprocess.run([haproxy_binary(), "-c", "-f", str(config)], capture_output=True, text=True)


def test_local_haproxy_config_is_valid(tmp_path: Path) -> None:
    layout = Layout(host="127.0.0.1", port=5005, action_port=5055, rasa_ports=(5015, 5016),
                    action_ports=(5065, 5066), state_dir=tmp_path, telegram_port=8088)
    text = render_config(layout)
    result = haproxy_check(text, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warnings were found" not in result.stdout + result.stderr
    assert "server rasa1 127.0.0.1:5016 check maxconn 4" in text
    assert "balance hash req.body,json_query('$.sender')" in text
    assert "retry-on conn-failure 503" in text and "option redispatch" in text


def test_compose_haproxy_config_is_current_and_valid(tmp_path: Path) -> None:
    assert COMPOSE_CFG.read_text() == compose_config(), "python -m bot.cluster.compose ausführen"
    result = haproxy_check(compose_config(), tmp_path)  # names of containers: unresolved here
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_pinned_copies_what_exists_and_starts_a_role(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert bases and all(re.search(r":\d+\.\d+\.\d+", base) for base in bases), bases
    for sources in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for source in sources.split():
            assert (PROJECT_ROOT / source).exists(), f"{dockerfile.name}: {source} fehlt"
    role = re.search(r'CMD \["python", "-m", "bot.cluster.container", "(\w+)"\]', text)
    assert role is None or role.group(1) in ROLES


def test_compose_services_images_and_dockerfiles() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    assert {"rasa1", "rasa2", "actions1", "actions2", "haproxy", "postgres", "redis",
            "telegram", "widget"} <= set(services)
    for name, service in services.items():
        if "image" in service:
            assert re.search(r":\d+\.\d+", service["image"]), f"{name}: {service['image']}"  # exact release
        else:
            dockerfile = PROJECT_ROOT / service["build"]["dockerfile"]
            assert dockerfile in DOCKERFILES, name
    assert services["rasa1"]["environment"]["GL_ACTION_URL"] == "http://haproxy:5056/webhook"


def test_default_ports_and_the_reload_finds_no_cluster_without_haproxy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cluster.layout import default_layout
    from bot.cluster.rolling import running_layout
    from bot.config import load_settings

    monkeypatch.setenv("GL_RASA_PORT", "6005")
    monkeypatch.setenv("GL_ACTION_PORT", "6055")
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("GL_REPLICA_PORT_BASE", raising=False)
    monkeypatch.delenv("GL_ACTION_REPLICA_PORT_BASE", raising=False)
    layout = default_layout(load_settings(), 3)
    assert layout.rasa_ports == (6015, 6016, 6017) and layout.action_ports == (6065, 6066, 6067)
    assert layout.url == "http://127.0.0.1:6005" and layout.telegram_port is None
    layout.save()
    assert Layout.load(tmp_path) == layout
    assert running_layout(tmp_path) is None  # cluster.json alone: no HAProxy socket answers
