"""Make a private certificate authority and a server certificate it signs, with openssl.

For a small install with no CA of its own: the broker (Mosquitto, EMQX) serves `server.crt` +
`server.key` on 8883, and every client (devices, ingest workers, the plan publisher) trusts
`ca.crt`. Keys are ECDSA P-256 and written readable by their owner only. The server
certificate names every host and address clients use to reach the broker (checked by them).
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CA_DAYS = 3650
SERVER_DAYS = 825  # the longest validity clients accept for a server certificate
DEFAULT_HOSTS = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class TlsFiles:
    """What `make_certificates` wrote."""

    ca_cert: Path
    ca_key: Path
    server_cert: Path
    server_key: Path


def _subject_alt_names(hosts: tuple[str, ...]) -> str:
    names = []
    for host in hosts:
        try:
            names.append(f"IP:{ipaddress.ip_address(host)}")
        except ValueError:
            names.append(f"DNS:{host}")
    return ",".join(names)


def _openssl(*args: str) -> None:
    binary = shutil.which("openssl")
    if binary is None:
        raise RuntimeError("openssl is not installed")
    subprocess.run([binary, *args], check=True, capture_output=True)


def make_certificates(
    out_dir: Path, hosts: tuple[str, ...] = DEFAULT_HOSTS, *, server_days: int = SERVER_DAYS
) -> TlsFiles:
    """Write `ca.crt`, `ca.key`, `server.crt` and `server.key` into `out_dir`.

    An existing CA in `out_dir` is kept (so clients that trust it keep working) and signs a new
    server certificate; otherwise a new CA is made first.
    """
    if not hosts:
        raise ValueError("name at least one host the broker is reached by")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(
        out_dir / "ca.crt", out_dir / "ca.key", out_dir / "server.crt", out_dir / "server.key"
    )
    ec_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    if not (files.ca_cert.exists() and files.ca_key.exists()):
        _openssl(
            "req", "-x509", *ec_key, "-keyout", str(files.ca_key), "-out", str(files.ca_cert),
            "-days", str(CA_DAYS), "-subj", "/CN=MedMind private CA",
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        request = Path(work) / "server.csr"
        extensions = Path(work) / "server.ext"
        extensions.write_text(
            f"subjectAltName={_subject_alt_names(hosts)}\n"
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
        )
        _openssl(
            "req", *ec_key, "-keyout", str(files.server_key), "-out", str(request),
            "-subj", f"/CN={hosts[0]}",
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", str(request), "-CA", str(files.ca_cert),
            "-CAkey", str(files.ca_key), "-CAcreateserial", "-CAserial", str(Path(work) / "ca.srl"),
            "-out", str(files.server_cert), "-days", str(server_days),
            "-extfile", str(extensions),
        )  # fmt: skip
    for key in (files.ca_key, files.server_key):
        key.chmod(0o600)
    return files
