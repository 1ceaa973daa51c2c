"""`medmind cloud tls-certs`: a private CA and the broker's server certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def tls_certs(
    out: Annotated[Path, typer.Option("--out", help="Directory for the CA and server files.")],
    host: Annotated[
        list[str] | None,
        typer.Option(
            "--host",
            help="A name or address clients reach the broker by (repeat; default localhost "
            "and 127.0.0.1). The first is the certificate's common name.",
        ),
    ] = None,
) -> None:
    """Make `ca.crt`/`ca.key` (kept if present) and `server.crt`/`server.key` for the broker.

    The broker serves the server pair on 8883; devices and the cloud's workers trust `ca.crt`
    (`MEDMIND_MQTT_CA_FILE`, the device's `sync.ca_file`) and connect to `mqtts://host:8883`.
    """
    from cloud.tls.certs import DEFAULT_HOSTS, make_certificates

    files = make_certificates(out, tuple(host) if host else DEFAULT_HOSTS)
    typer.echo(f"wrote {files.ca_cert}, {files.server_cert} and {files.server_key}")
