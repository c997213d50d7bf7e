"""The replay tool's HTTP/1.1 client: JSON POSTs over asyncio streams, one connection per worker.

The replay shares the machine with the services it measures, so every millisecond it spends is
taken from them. requests (with its thread per worker) cost about 2 ms of CPU per command; this
client writes one prepared request and parses only what the replay needs (status, length or
chunked framing, `Connection: close`), so a command costs a fraction of that.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

HEAD_LIMIT_BYTES = 1 << 16
READ_CHUNK_BYTES = 1 << 16


class ProtocolError(Exception):
    """The server's answer was not HTTP/1.x as this client reads it."""


@dataclass(frozen=True)
class Origin:
    host: str
    port: int
    tls: bool

    @classmethod
    def parse(cls, url: str) -> Origin:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        tls = parts.scheme == "https"
        return cls(parts.hostname, parts.port or (443 if tls else 80), tls)

    @property
    def host_header(self) -> str:
        default = 443 if self.tls else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes  # empty when the body went to the caller's sink


class Connection:
    """One HTTP/1.1 connection, reopened when the server closed it; used by one task at a time.

    With `keep_alive=False` every request goes over a new connection that closes after it
    (`Connection: close`), the baseline a naive client gives.
    """

    def __init__(self, origin: Origin, headers: dict[str, str], keep_alive: bool = True) -> None:
        self.origin = origin
        self.keep_alive = keep_alive
        fixed = {"Host": origin.host_header, "Content-Type": "application/json", **headers}
        if not keep_alive:
            fixed["Connection"] = "close"
        self._fixed_headers = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(
        self,
        path: str,
        body: bytes,
        ok_sink: Callable[[bytes], object] | None = None,
        headers: str = "",
    ) -> Reply:
        """Sends one POST and reads the whole answer; a 200 answer's body goes to `ok_sink`, if any.

        On any error the connection is dropped (its state is unknown) and the error propagates.
        """
        try:
            reader, writer = await self._open()
            head = (
                f"POST {path} HTTP/1.1\r\n{self._fixed_headers}{headers}"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            reply, reusable = await _read_reply(reader, ok_sink)
        except BaseException:
            self.close()
            raise
        if not (reusable and self.keep_alive):
            self.close()
        return reply

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = self._reader, self._writer
        if reader is not None and writer is not None:
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            self.close()  # the server closed it while idle: like any pool, open a new one
        context = ssl.create_default_context() if self.origin.tls else None
        reader, writer = await asyncio.open_connection(
            self.origin.host, self.origin.port, ssl=context, limit=HEAD_LIMIT_BYTES
        )
        self._reader, self._writer = reader, writer
        return reader, writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_reply(
    reader: asyncio.StreamReader, ok_sink: Callable[[bytes], object] | None
) -> tuple[Reply, bool]:
    """One response: (the reply, whether the connection may carry another request)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise ConnectionResetError("connection closed before a response") from exc
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or len(rest) < 3 or not rest[:3].isdigit():
        raise ProtocolError(f"bad status line {lines[0]!r}")
    status = int(rest[:3])
    length: int | None = None
    chunked = False
    keep_alive = version == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            if not value.strip().isdigit():
                raise ProtocolError(f"bad Content-Length {value!r}")
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            tokens = value.lower()
            keep_alive = "close" not in tokens and (keep_alive or "keep-alive" in tokens)
    parts: list[bytes] = []
    emit = ok_sink if ok_sink is not None and status == 200 else parts.append
    if status in (204, 304) or 100 <= status < 200:
        pass
    elif chunked:
        await _read_chunked(reader, emit)
    elif length is not None:
        await _read_exactly(reader, length, emit)
    else:  # delimited by the end of the connection
        while chunk := await reader.read(READ_CHUNK_BYTES):
            emit(chunk)
        keep_alive = False
    return Reply(status, b"".join(parts)), keep_alive


async def _read_exactly(
    reader: asyncio.StreamReader, length: int, emit: Callable[[bytes], object]
) -> None:
    while length > 0:
        chunk = await reader.readexactly(min(length, READ_CHUNK_BYTES))
        emit(chunk)
        length -= len(chunk)


async def _read_chunked(reader: asyncio.StreamReader, emit: Callable[[bytes], object]) -> None:
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size {size_line[:40]!r}") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the blank line
                pass
            return
        await _read_exactly(reader, size, emit)
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError("chunk not followed by CRLF")
