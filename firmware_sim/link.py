"""A device's network link: a TCP relay on loopback between the device and the broker.

The simulated device connects to the relay instead of the broker. `cut()` closes every relayed
connection at once and turns new ones away, like a pulled cable or a dead Wi-Fi router as the
device's TCP stack sees it; `restore()` lets connections through again. Neither side is told
anything: paho notices the dropped socket and backs off, the broker notices it too and publishes
the device's Last Will, exactly as with a real outage.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading

from firmware_sim.embedded_broker import LOOPBACK

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


class LinkProxy:
    """Relays TCP connections from a loopback port to `upstream`; can be cut and restored."""

    def __init__(self, upstream_host: str, upstream_port: int, host: str = LOOPBACK) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server((host, 0))
        self.host = host
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        self._up = True
        self._closed = False
        self._sockets: set[socket.socket] = set()
        self.connections = 0
        self._acceptor = threading.Thread(target=self._accept_loop, name="link-accept", daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        """Where the device should connect (mqtt:// URL of the relay)."""
        return f"mqtt://{self.host}:{self.port}"

    @property
    def is_up(self) -> bool:
        return self._up

    def cut(self) -> None:
        """Sever the link: drop every relayed connection and refuse new ones."""
        with self._lock:
            self._up = False
            doomed = list(self._sockets)
        for sock in doomed:
            _close(sock)

    def restore(self) -> None:
        """Let connections through again (the device reconnects on its own backoff)."""
        with self._lock:
            self._up = True

    def close(self) -> None:
        """Stop relaying for good."""
        with self._lock:
            self._closed = True
        self.cut()
        _close(self._listener)
        self._acceptor.join(timeout=5)

    def _accept_loop(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = self._closed or not self._up
            if refuse:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError as exc:
                log.info("link: broker unreachable (%s)", exc)
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                if not self._up:
                    _close(client)
                    _close(upstream)
                    continue
                self._sockets.update((client, upstream))
                self.connections += 1
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, target), name="link-pump", daemon=True
                ).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                target.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(target)
            _close(source)
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
