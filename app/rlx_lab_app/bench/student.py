"""One simulated student: a page of the served app driven over Bokeh's websocket protocol.

No browser and no Bokeh document on this side: the page's HTML gives the session's token, the
websocket gives the document as JSON (kept as a table of model id → attributes, updated by
every patch the server sends) and the patches. A student sends what BokehJS sends — model
changes (a slider's ``value`` then ``value_throttled``, as on release; a tab's ``active``) and
UI events (``document_ready`` once loaded, ``tap``, ``button_click``) — and times each action
until the server's answer arrives (a data source replaced). Every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from bokeh.protocol import Protocol
from bokeh.protocol.receiver import Receiver
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

Change = tuple[str, str]
"""(model id, attribute or event kind) of one change the server sent."""

DATA_KINDS = ("data", "ColumnDataChanged", "ColumnsStreamed", "ColumnsPatched")
"""Changes that replace or extend a data source's columns."""

_ids = itertools.count()


def _objects(value: Any, into: dict[str, dict[str, Any]]) -> None:
    """Record every serialised model inside ``value`` (id → its ``type``, ``name``, attrs)."""
    if isinstance(value, dict):
        if value.get("type") == "object" and "id" in value:
            entry = into.setdefault(value["id"], {"type": value.get("name"), "attrs": {}})
            entry["attrs"].update(value.get("attributes") or {})
        for item in value.values():
            _objects(item, into)
    elif isinstance(value, list):
        for item in value:
            _objects(item, into)


def _keys(data: Any) -> set[str]:
    """The column names of a serialised ``data`` attribute."""
    if isinstance(data, dict) and data.get("type") == "map":
        return {k for k, _ in data.get("entries", [])}
    return set(data) if isinstance(data, dict) else set()


class Student:
    """One session of the app at ``url`` (``http://127.0.0.1:PORT/app``)."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.models: dict[str, dict[str, Any]] = {}
        self.changes: list[Change] = []
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self.closed_by_server = False
        self.cookies: dict[str, str] = {}
        """Cookies sent with the page's GET and its websocket, and set by the GET (a front's
        worker pin, say)."""

    # --- the connection ------------------------------------------------------------------------

    async def open(self) -> None:
        """GET the page, connect its websocket, pull the document, announce it is rendered."""
        loop = asyncio.get_running_loop()
        html = await loop.run_in_executor(None, self._get_page)
        found = re.search(r'"token"\s*:\s*"([^"]+)"', html)
        if found is None:
            raise RuntimeError("open: no session token in the page")
        host = self.url.split("//", 1)[1].split("/", 1)[0]
        path = self.url.split(host, 1)[1].split("?", 1)[0]  # the session has the query
        headers = {"Origin": f"http://{host}", **self._cookie_header()}
        request = HTTPRequest(
            f"ws://{host}{path}/ws",
            headers=headers,
            connect_timeout=self.timeout_s,
            request_timeout=self.timeout_s,
        )
        self._socket = await asyncio.wait_for(
            websocket_connect(
                request, subprotocols=["bokeh", found.group(1)], max_message_size=2**28
            ),
            self.timeout_s,
        )
        receiver = Receiver(Protocol())
        ack = await self._receive(receiver)
        if ack.header["msgtype"] != "ACK":
            raise RuntimeError(f"open: expected ACK, got {ack.header['msgtype']}")
        await self._send("PULL-DOC-REQ", {})
        early = []  # patches the server sent before its reply: applied after it
        while (reply := await self._receive(receiver)).header["msgtype"] != "PULL-DOC-REPLY":
            early.append(reply)
        _objects(reply.content, self.models)
        for message in early:
            self._apply(message)
        self._reader = asyncio.create_task(self._read(receiver))
        await self.event("document_ready", {})

    def _get_page(self) -> str:
        request = urllib.request.Request(self.url, headers=self._cookie_header())
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return str(response.read().decode())

    def _cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    async def _receive(self, receiver: Receiver) -> Any:
        while True:
            fragment = await asyncio.wait_for(self._socket.read_message(), self.timeout_s)
            if fragment is None:
                raise ConnectionError("the server closed the websocket")
            message = await receiver.consume(fragment)
            if message is not None:
                return message

    async def _read(self, receiver: Receiver) -> None:
        """Apply every patch the server sends (until the socket closes)."""
        while True:
            fragment = await self._socket.read_message()
            if fragment is None:
                self.closed_by_server = True
                self._changed.set()
                return
            message = await receiver.consume(fragment)
            if message is not None:
                self._apply(message)

    def _apply(self, message: Any) -> None:
        """Record a patch's models and changes, and wake whoever waits for a change."""
        if message.header["msgtype"] == "PATCH-DOC":
            for event in message.content.get("events", []):
                _objects(event, self.models)
                model = (event.get("model") or {}).get("id")
                if model is None:
                    continue
                attr = event.get("attr") if event["kind"] == "ModelChanged" else event["kind"]
                if event["kind"] == "ModelChanged":
                    entry = self.models.setdefault(model, {"type": None, "attrs": {}})
                    entry["attrs"][attr] = event.get("new")
                self.changes.append((model, attr))
        self._changed.set()

    async def _send(self, msgtype: str, content: dict[str, Any]) -> None:
        header = {"msgid": f"load{next(_ids)}", "msgtype": msgtype}
        for part in (header, {}, content):
            await self._socket.write_message(json.dumps(part))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._socket is not None:
            self._socket.close()

    # --- what a browser sends ------------------------------------------------------------------

    async def set(self, model: str, **attrs: Any) -> None:
        """Change attributes of a model, in order, as BokehJS does."""
        events = [
            {"kind": "ModelChanged", "model": {"id": model}, "attr": attr, "new": value}
            for attr, value in attrs.items()
        ]
        for key, value in attrs.items():
            self.models[model]["attrs"][key] = value
        await self._send("PATCH-DOC", {"events": events})

    async def event(self, name: str, values: dict[str, Any]) -> None:
        """A UI event (``tap``, ``button_click``, ``document_ready``)."""
        event = {"type": "event", "name": name, "values": values}
        await self._send(
            "PATCH-DOC",
            {"events": [{"kind": "MessageSent", "msg_type": "bokeh_event", "msg_data": event}]},
        )

    # --- finding models and waiting for answers ------------------------------------------------

    def find(self, test: Callable[[str, dict[str, Any]], bool]) -> str | None:
        """The id of the first model with ``test(type, attrs)`` true."""
        for model, entry in list(self.models.items()):
            if test(entry["type"] or "", entry["attrs"]):
                return model
        return None

    def named(self, name: str) -> str | None:
        return self.find(lambda _, a: a.get("name") == name)

    def with_class(self, css: str) -> str | None:
        return self.find(lambda _, a: css in (a.get("css_classes") or []))

    def source_with(self, *columns: str) -> str | None:
        """A data source whose columns include ``columns``."""
        return self.find(
            lambda t, a: t == "ColumnDataSource" and set(columns) <= _keys(a.get("data"))
        )

    async def until(self, done: Callable[[], bool], what: str) -> None:
        """Wait (bounded by the timeout) until ``done()``; TimeoutError names ``what``."""
        deadline = time.perf_counter() + self.timeout_s
        while not done():
            if self.closed_by_server:
                raise ConnectionError(f"the server closed the websocket, waiting for {what}")
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no {what} within {self.timeout_s:g} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)

    def data_changed_since(self, mark: int, *sources: str | None) -> bool:
        """Whether one of ``sources`` got new data after change number ``mark``."""
        wanted = {s for s in sources if s is not None}
        return any(m in wanted and a in DATA_KINDS for m, a in self.changes[mark:])
