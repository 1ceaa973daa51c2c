"""`medmind cloud broker-files`: write Mosquitto's password and ACL files from the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def broker_files(
    out: Annotated[Path, typer.Option("--out", help="Directory for `passwords` and `acl`.")],
) -> None:
    """Write Mosquitto's password file ($7$ hashes) and ACL file for every active device.

    Point Mosquitto at them with `password_file <out>/passwords` and `acl_file <out>/acl`, and
    send it SIGHUP after each run to reload.
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
    typer.echo(f"wrote {files.password_file} and {files.acl_file} ({files.accounts} devices)")
