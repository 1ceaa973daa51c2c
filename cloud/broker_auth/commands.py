"""`medmind cloud broker-files`: write Mosquitto's password and ACL files from the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def broker_files(
    out: Annotated[Path, typer.Option("--out", help="Directory for `passwords` and `acl`.")],
) -> None:
    """Write Mosquitto's password + ACL files and dynamic-security.json for every device.

    Either `password_file <out>/passwords` + `acl_file <out>/acl` (send SIGHUP after each run),
    or the dynamic security plugin with `plugin_opt_config_file <out>/dynamic-security.json`
    (restart the broker), which also refuses subscriptions outside a device's own topics.
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
        f"wrote {files.password_file}, {files.acl_file} and {files.dynamic_security_file} "
        f"({files.accounts} devices)"
    )
