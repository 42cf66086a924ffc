"""A student without a browser: the app's websocket protocol, spoken the way its page does.

The load benchmark (load.py) loads the server with these instead of thirty chromiums, and a
test reads the order of what the server sends a student. `fetch` gets what a browser gets
over HTTP; `visit` opens the app's websocket (`/_stcore/stream`, subprotocol "streamlit"),
asks for a page with a link's query string, reruns each fragment on the timer the server
asks for (as the page's JavaScript does; with no widget changes), and notes every message.
Only a streamlit dependency (websockets) is used; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import asyncio
import http.client
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def wait_healthy(port: int, seconds: float = 60.0) -> None:
    """Block until the server on 127.0.0.1:port answers its health check; RuntimeError if not."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server on {port} did not start")


def print_traceback(log: str, where: str = "server log") -> None:
    """Print the first traceback in a server's log, if any, with some lines around it."""
    if "Traceback" in log:
        at = log.index("Traceback")
        print(f"{where} had a traceback:\n" + log[max(at - 500, 0):at + 3000])


def fetch(port: int, paths: list[str]) -> int:
    """GET each path on one keep-alive connection, reading every byte; how many failed."""
    conn, failed = http.client.HTTPConnection("127.0.0.1", port, timeout=60), 0
    try:
        for path in paths:
            conn.request("GET", path, headers={"Accept-Encoding": "gzip, deflate"})
            resp = conn.getresponse()
            resp.read()
            failed += resp.status >= 400
    finally:
        conn.close()
    return failed


def rerun_msg(query: str, page: str, fragment: str = "", page_hash: str = "") -> bytes:
    """The BackMsg the page sends to (re)run the page, or one fragment of it on its timer."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    m = BackMsg()
    m.rerun_script.query_string, m.rerun_script.page_name = query, page
    m.rerun_script.page_script_hash = page_hash
    if fragment:
        m.rerun_script.fragment_id, m.rerun_script.is_auto_rerun = fragment, True
    return m.SerializeToString()


@dataclass
class Visit:
    """What one student's websocket got: (seconds since it opened, message kind, raw bytes)."""

    opened: float  # time.time() when the websocket opened
    messages: list[tuple[float, str, bytes]] = field(default_factory=list)
    error: str | None = None  # an exception element shown, or a broken connection

    def first(self, *texts: str) -> int | None:
        """The index of the first message carrying any of `texts`."""
        want = [x.encode() for x in texts]
        return next((i for i, (_, _, raw) in enumerate(self.messages)
                     if any(w in raw for w in want)), None)

    def kinds(self, kind: str) -> list[int]:
        return [i for i, (_, k, _) in enumerate(self.messages) if k == kind]

    def at(self, i: int | None) -> float | None:
        return None if i is None else self.messages[i][0]


async def visit(port: int, link: str, timeout: float, until: str) -> Visit:
    """Open `link` (path and query) over the websocket and note every message until one carries
    `until` and the page run that sent it has finished (an exception drawn below the result
    counts too), the page shows an exception, or `timeout` seconds pass."""
    import websockets
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    url, stop, seen = urlsplit(link), until.encode(), False
    page, page_hash, timers = url.path.strip("/"), "", {}
    async with websockets.connect(
            f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{port}", max_size=None, open_timeout=timeout) as ws:
        v = Visit(time.time())

        async def tick(fragment: str, every: float) -> None:  # the page's fragment timer
            while True:
                await asyncio.sleep(every)
                await ws.send(rerun_msg(url.query, page, fragment, page_hash))

        try:
            await ws.send(rerun_msg(url.query, page))
            while (left := v.opened + timeout - time.time()) > 0:
                raw = await asyncio.wait_for(ws.recv(), left)
                msg = ForwardMsg.FromString(raw)
                kind = msg.WhichOneof("type") or ""
                v.messages.append((time.time() - v.opened, kind, raw))
                if kind == "navigation":  # the page now shown (app.py's st.navigation)
                    page_hash = msg.navigation.page_script_hash or page_hash
                elif kind == "auto_rerun" and msg.auto_rerun.fragment_id not in timers:
                    timers[msg.auto_rerun.fragment_id] = asyncio.create_task(
                        tick(msg.auto_rerun.fragment_id, msg.auto_rerun.interval))
                elif kind == "stop_auto_rerun":
                    for f in msg.stop_auto_rerun.fragment_ids:
                        if f in timers:
                            timers.pop(f).cancel()
                elif (kind == "delta" and msg.delta.WhichOneof("type") == "new_element"
                      and msg.delta.new_element.WhichOneof("type") == "exception"):
                    v.error = "the page showed an exception"
                    break
                seen = seen or stop in raw
                if seen and kind == "script_finished" and (
                        msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY):
                    break
        except (TimeoutError, websockets.ConnectionClosed) as e:
            v.error = repr(e)
        finally:
            for task in timers.values():
                task.cancel()
    return v
