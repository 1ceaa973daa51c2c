"""`medmind cloud broker-files`: write Mosquitto's password and ACL files from the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def broker_files(
    out: Annotated[Path, typer.Option("--out", help="Directory for `passwords` and `acl`.")],
) -> None:
    """Write Mosquitto's password and ACL files and dynamic-security.json for every device.

    Either the devices' listener reads `<out>/passwords` + `<out>/acl` (with
    `use_username_as_clientid true`) and a cloud-only listener `<out>/service-passwords` +
    `<out>/service-acl` (send SIGHUP after each run), or the dynamic security plugin reads
    `<out>/dynamic-security.json` (restart the broker). See docs/sync.md for the recipes.
    """
    from cloud.broker_auth.service import BrokerAuthService
    from cloud.config import get_settings
    from cloud.db.engine import make_engine, make_session_factory
    from cloud.mqtt.settings import MqttSettings

    engine = make_engine(get_settings())
    try:
        with make_session_factory(engine)() as db:
            files = BrokerAuthService(db, MqttSettings()).write_mosquitto_files(out)
    finally:
        engine.dispose()
    typer.echo(
        f"wrote {files.password_file}, {files.acl_file}, {files.service_password_file}, "
        f"{files.service_acl_file} and {files.dynamic_security_file} ({files.accounts} devices)"
    )
