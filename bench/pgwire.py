"""A PostgreSQL wire-protocol proxy that counts the statements its clients run.

One way of counting that works the same for every server under test (Python with
asyncpg, Node with node-postgres) and needs nothing from PostgreSQL (no
pg_stat_statements in shared_preload_libraries): each simple-protocol Query and each
extended-protocol Execute a client sends is one statement, BEGIN and COMMIT included,
since each is a round trip the database serves. Parse/Bind/Describe are not counted
(a prepared statement is executed, not run, by them).

The proxy only reads what clients send; the server's answers are piped through as they
are. It answers an SSLRequest or GSSENCRequest itself with "no", so clients carry on in
plain text. It runs in a thread of its own, and is used only while counting: it would
slow the load runs down.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102


@dataclass
class Tally:
    """Statements seen since the last reset, by text (whitespace squeezed)."""

    statements: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.statements.values())


class CountingProxy:
    """Listens on 127.0.0.1 (an ephemeral port) and forwards to ``host:port``, or to the
    server's Unix socket when ``host`` is a directory (as for the embedded server)."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self._tally = Tally()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pgwire-proxy", daemon=True)
        self._server: asyncio.Server | None = None

    def __enter__(self) -> CountingProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the counting proxy did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def reset(self) -> None:
        with self._lock:
            self._tally = Tally()

    def take(self) -> Tally:
        """What was counted since the last reset (and start counting afresh)."""
        with self._lock:
            taken, self._tally = self._tally, Tally()
        return taken

    def _count(self, text: str) -> None:
        with self._lock:
            self._tally.statements[" ".join(text.split())] += 1

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self._server.wait_closed()

        self._loop.run_until_complete(start())
        self._loop.run_forever()
        self._loop.run_until_complete(stop())
        self._loop.close()

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        server_out: asyncio.StreamWriter | None = None
        try:
            startup = await _startup(client_in, client_out)
            if startup is None:
                return
            host, port = self.upstream
            if host.startswith("/"):
                server_in, server_out = await asyncio.open_unix_connection(
                    f"{host}/.s.PGSQL.{port}"
                )
            else:
                server_in, server_out = await asyncio.open_connection(host, port)
            server_out.write(startup)
            if struct.unpack("!I", startup[4:8])[0] == CANCEL_REQUEST:
                await server_out.drain()
                return
            await asyncio.gather(
                self._client_to_server(client_in, server_out), _pipe(server_in, client_out)
            )
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for writer in (client_out, server_out):
                if writer is not None:
                    writer.close()

    async def _client_to_server(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        prepared: dict[str, str] = {}
        portals: dict[str, str] = {}
        while True:
            header = await reader.readexactly(5)
            kind, length = header[:1], struct.unpack("!I", header[1:])[0]
            body = await reader.readexactly(length - 4)
            if kind == b"Q":
                self._count(_cstring(body, 0)[0])
            elif kind == b"P":
                name, at = _cstring(body, 0)
                prepared[name] = _cstring(body, at)[0]
            elif kind == b"B":
                portal, at = _cstring(body, 0)
                portals[portal] = prepared.get(_cstring(body, at)[0], "?")
            elif kind == b"E":
                self._count(portals.get(_cstring(body, 0)[0], "?"))
            writer.write(header + body)
            await writer.drain()
            if kind == b"X":
                return


async def _startup(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes | None:
    """The client's startup (or cancel) message, after refusing encryption requests."""
    while True:
        length = struct.unpack("!I", await reader.readexactly(4))[0]
        body = await reader.readexactly(length - 4)
        code = struct.unpack("!I", body[:4])[0]
        if code in (SSL_REQUEST, GSSENC_REQUEST):
            writer.write(b"N")
            await writer.drain()
            continue
        return struct.pack("!I", length) + body


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    with contextlib.suppress(OSError):
        writer.write_eof()


def _cstring(data: bytes, start: int) -> tuple[str, int]:
    end = data.index(b"\x00", start)
    return data[start:end].decode("utf-8", "replace"), end + 1
