"""docker-compose.yml cannot run here (no Docker engine); keep it honest instead.

It must parse, name the production services, wire EMQX to the cloud's auth hooks, and start
only `medmind` commands that exist.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
import yaml

from shared import cli
from tests.support.paths import REPO_ROOT

ROOT = REPO_ROOT


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_names_the_production_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "emqx", "api", "ingest", "jobs", "migrate"} <= set(services)
    assert services["emqx"]["image"].startswith("emqx/emqx:5.")
    assert services["postgres"]["image"].endswith("pg16")
    assert (ROOT / services["api"]["build"]).joinpath("Dockerfile").exists()


def test_emqx_authenticates_and_authorises_through_the_cloud(compose: dict[str, Any]) -> None:
    env = compose["services"]["emqx"]["environment"]
    assert env["EMQX_AUTHENTICATION__1__URL"].endswith("/api/v1/mqtt/auth")
    assert env["EMQX_AUTHORIZATION__SOURCES__1__URL"].endswith("/api/v1/mqtt/acl")
    assert env["EMQX_AUTHORIZATION__NO_MATCH"] == "deny"
    for hook in ("EMQX_AUTHENTICATION__1__HEADERS", "EMQX_AUTHORIZATION__SOURCES__1__HEADERS"):
        assert '"x-medmind-hook-token" = "${MEDMIND_MQTT_HOOK_TOKEN' in env[hook], hook


def test_the_cloud_expects_the_token_emqx_sends(compose: dict[str, Any]) -> None:
    cloud_env = compose["services"]["api"]["environment"]
    assert cloud_env["MEDMIND_MQTT_HOOK_TOKEN"].startswith("${MEDMIND_MQTT_HOOK_TOKEN")


def _command_exists(root: object, words: list[str]) -> bool:
    # typer vendors its own click, so groups are recognised by their `commands` mapping.
    command = root
    for word in words:
        subcommands = getattr(command, "commands", None)
        if not isinstance(subcommands, dict) or word not in subcommands:
            return False
        command = subcommands[word]
    return True


def test_every_service_command_is_a_real_medmind_command(compose: dict[str, Any]) -> None:
    cli._add_part_groups()
    root = typer.main.get_command(cli.app)
    for name, service in compose["services"].items():
        command = service.get("command")
        if not command:
            continue
        assert command[0] == "medmind", f"{name} must run the medmind CLI"
        words = [word for word in command[1:] if not word.startswith("-")][:2]
        assert _command_exists(root, words), f"{name}: `medmind {' '.join(words)}` does not exist"


def test_two_emqx_nodes_form_one_cluster_with_workers_on_each(compose: dict[str, Any]) -> None:
    services = compose["services"]
    nodes = [services["emqx"]["environment"], services["emqx2"]["environment"]]
    names = {env["EMQX_NODE__NAME"] for env in nodes}
    assert len(names) == 2
    for env in nodes:
        assert env["EMQX_CLUSTER__DISCOVERY_STRATEGY"] == "static"
        assert set(env["EMQX_CLUSTER__STATIC__SEEDS"].strip("[]").split(", ")) == names
        assert env["EMQX_NODE__COOKIE"] == nodes[0]["EMQX_NODE__COOKIE"]
        assert env["EMQX_AUTHORIZATION__NO_MATCH"] == "deny"
    workers = [services["ingest"], services["ingest-2"]]
    brokers = {w["environment"]["MEDMIND_MQTT_URL"] for w in workers}
    assert brokers == {"mqtts://emqx:8883", "mqtts://emqx2:8883"}
    assert {w["environment"]["MEDMIND_MQTT_SHARED_GROUP"] for w in workers} == {"ingest"}
    assert sum(w["deploy"]["replicas"] for w in workers) >= 4


def test_a_read_replica_streams_from_the_primary(compose: dict[str, Any]) -> None:
    services = compose["services"]
    replica = services["postgres-replica"]
    assert replica["image"] == services["postgres"]["image"]
    files = [v.split(":") for v in replica["volumes"] if v.startswith("./")]
    mounted = {inside: ROOT / outside for outside, inside, *_ in files}
    script = mounted[replica["entrypoint"][0]].read_text()
    assert "pg_basebackup -h postgres -U replicator" in script and "hot_standby=on" in script
    init = [v for v in services["postgres"]["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert init and "REPLICATION LOGIN" in (ROOT / init[0].split(":")[0]).read_text()
    api = services["api"]
    assert "@postgres-replica:5432/" in api["environment"]["MEDMIND_DATABASE_READ_URL"]
    assert "@postgres:5432/" in api["environment"]["MEDMIND_DATABASE_URL"]
    assert api["depends_on"]["postgres-replica"]["condition"] == "service_healthy"


def test_mqtt_goes_over_tls_only(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for node in ("emqx", "emqx2"):
        env = services[node]["environment"]
        assert env["EMQX_LISTENERS__SSL__DEFAULT__BIND"].endswith(":8883"), node
        assert env["EMQX_LISTENERS__TCP__DEFAULT__ENABLE"] == "false", node
        assert env["EMQX_MQTT__MAX_PACKET_SIZE"] == "66KB", node
        assert all(
            port.endswith(":8883") or port.endswith(":18083") for port in services[node]["ports"]
        )
    assert services["api"]["environment"]["MEDMIND_MQTT_CA_FILE"].endswith("ca.crt")
