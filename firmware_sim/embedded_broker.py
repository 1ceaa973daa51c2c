"""The embedded MQTT broker (amqtt) used when no broker URL is configured.

amqtt speaks MQTT 3.1.1 only and does not keep QoS 1 messages for offline persistent
sessions (see DESIGN.md), which is why devices republish their outbox after every connect.
It runs in a child process so that a crash or a slow event loop never stalls the caller.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float = 15.0) -> None:
    """Block until something accepts TCP connections on host:port, or raise TimeoutError."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s:.0f} s")


def broker_config(host: str, port: int) -> dict[str, object]:
    """amqtt configuration: one TCP listener on loopback, anonymous clients, no $SYS noise."""
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}", "max_connections": 0}},
        "plugins": {
            "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
        },
    }


async def serve(host: str, port: int) -> None:
    """Run the broker until SIGTERM or SIGINT."""
    from amqtt.broker import Broker

    broker = Broker(broker_config(host, port))
    await broker.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await broker.shutdown()


@dataclass
class EmbeddedBroker:
    """A running embedded broker process and the URL to reach it."""

    process: subprocess.Popen[bytes]
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop the broker process and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_embedded_broker(host: str = LOOPBACK, port: int | None = None) -> EmbeddedBroker:
    """Start amqtt in a child process on loopback and wait until it accepts connections."""
    chosen = port or free_port(host)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "firmware_sim.embedded_broker",
            "--host",
            host,
            "--port",
            str(chosen),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(host, chosen)
    except TimeoutError:
        process.kill()
        raise
    return EmbeddedBroker(process=process, host=host, port=chosen)


@contextlib.contextmanager
def embedded_broker(host: str = LOOPBACK, port: int | None = None) -> Iterator[EmbeddedBroker]:
    """Context manager around `start_embedded_broker`."""
    broker = start_embedded_broker(host, port)
    try:
        yield broker
    finally:
        broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the embedded amqtt broker on loopback.")
    parser.add_argument("--host", default=LOOPBACK)
    parser.add_argument("--port", type=int, default=1883)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
