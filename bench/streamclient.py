"""A browser tab without the browser: one signed-in dashboard session over Streamlit's websocket protocol.

The client does what Streamlit's frontend does on the wire, and nothing it does on screen: it opens
/_stcore/stream with the session cookie (oversight.sessions), sends BackMsg rerun_script with the
ClientState a tab would send (the page's script hash for a page change; the sidebar's widget values
for a filter change; the query string the server last wrote), and reads ForwardMsgs until the run's
script_finished. What it learns from the messages (the pages in the navigation, the community
filter's widget id and options, cacheable messages) it keeps as a tab would.

A run is timed from the send to the script_finished message: the server's work for the action, plus
the loopback hop. A run is an error when it shows an exception or an error box, finishes with a
compile error, reports a page not found, shows the login form (the session was lost), does not finish
within the timeout, or the connection closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import StringArray
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.TextInput_pb2 import TextInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

COOKIE = "oversight_session"  # oversight.sessions.COOKIE; not imported so the client stays light
COMMUNITY_KEY = "community"  # the sidebar's community multiselect (oversight.ui.sidebar.COMMUNITY_KEY)
RUN_TIMEOUT_S = 60.0
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Run:
    """One action and its script run: kind is open, page or filter."""

    kind: str
    page: str
    sent: float  # time.monotonic() at the send
    seconds: float
    error: str | None = None
    received: int = 0  # bytes of the run's messages


class Tab:
    """One session of the dashboard at base_url (http://host:port), signed in with a session token."""

    def __init__(self, base_url: str, token: str, timeout: float = RUN_TIMEOUT_S):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.ws = None
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> page script hash
        self.page = ""  # the url path shown
        self.page_hash = ""
        self.query_string = ""
        self.community_id: str | None = None  # the community multiselect's widget id
        self.communities: list[str] = []  # its options, as labels
        self.community: str | None = None  # the community chosen, None for all
        self._cache: dict[str, ForwardMsg] = {}
        self._received = 0  # cacheable messages by hash, as the frontend keeps them

    async def connect(self) -> None:
        url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        # No websocket pings: the frontend sends none, and a busy server would fail them.
        self.ws = await websockets.connect(
            url,
            subprotocols=["streamlit"],
            additional_headers={"Cookie": f"{COOKIE}={self.token}"},
            max_size=None,
            ping_interval=None,
            open_timeout=self.timeout,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open(self) -> Run:
        """A new tab on the default page: connect and run the script as the frontend's first message does."""
        started = time.monotonic()
        try:
            await asyncio.wait_for(self.connect(), self.timeout)
        except (OSError, TimeoutError, websockets.WebSocketException) as e:
            return Run("open", "", started, time.monotonic() - started, f"connect: {type(e).__name__}: {e}"[:200])
        return await self._rerun("open", ClientState(page_name="", query_string=""))

    async def goto(self, page: str) -> Run:
        """A click on a page in the sidebar's navigation."""
        return await self._rerun("page", self._state(self.pages[page]), page)

    async def choose(self, community: str | None) -> Run:
        """A community chosen in the sidebar filter (None: the filter cleared), on the page shown."""
        self.community = community
        return await self._rerun("filter", self._state(self.page_hash))

    def _state(self, page_hash: str) -> ClientState:
        state = ClientState(page_script_hash=page_hash, query_string=self.query_string)
        if self.community_id is not None:
            chosen = [self.community] if self.community else []
            state.widget_states.widgets.append(
                WidgetState(id=self.community_id, string_array_value=StringArray(data=chosen))
            )
        return state

    async def _rerun(self, kind: str, state: ClientState, page: str | None = None) -> Run:
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        state.context_info.url = f"{self.base_url}/{page if page is not None else self.page}"
        state.cached_message_hashes.extend(self._cache)
        started = time.monotonic()
        error, self._received = None, 0
        try:
            await self.ws.send(BackMsg(rerun_script=state).SerializeToString())
            error = await asyncio.wait_for(self._until_finished(), self.timeout)
        except TimeoutError:
            error = f"no script run finished within {self.timeout:.0f} s"
            # The late run's messages would be taken for the next one's: this tab is given up (the caller
            # opens a new one, as an official reloads a stuck page).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
            self.ws = None
        except websockets.ConnectionClosed as e:
            error = f"connection closed: {e}"[:200]
            self.ws = None
        return Run(kind, self.page, started, time.monotonic() - started, error, self._received)

    async def _until_finished(self) -> str | None:
        """Read the run's messages; the first problem seen, or None."""
        problem, started = None, False
        while True:
            data = await self.ws.recv()
            self._received += len(data)
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                cached = self._cache.get(msg.ref_hash)
                if cached is None:
                    problem = problem or f"message {msg.ref_hash} not in the cache"
                    continue
                msg, kind = cached, cached.WhichOneof("type")
            elif msg.metadata.cacheable and msg.hash:
                self._cache[msg.hash] = msg
            if kind == "new_session":  # every run starts with one
                started = True
                self.page_hash = msg.new_session.page_script_hash
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages if not p.is_hidden}
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
                self.page = next((u for u, h in self.pages.items() if h == self.page_hash), self.page)
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                problem = problem or f"page not found: {msg.page_not_found.page_name}"
            elif kind == "delta":
                problem = problem or self._element(msg)
            elif kind == "script_finished" and started:
                if msg.script_finished not in FINISHED:
                    problem = problem or f"script finished with status {msg.script_finished}"
                return problem

    def _element(self, msg: ForwardMsg) -> str | None:
        if msg.delta.WhichOneof("type") != "new_element":
            return None
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            return f"exception: {element.exception.type}: {element.exception.message}"[:200]
        if kind == "alert" and element.alert.format == Alert.ERROR:
            return f"error box: {element.alert.body}"[:200]
        if kind == "text_input" and element.text_input.type == TextInput.PASSWORD:
            return "the login form: the session was not recognised"
        if kind == "multiselect" and element.multiselect.id.endswith(f"-{COMMUNITY_KEY}"):
            self.community_id = element.multiselect.id
            self.communities = list(element.multiselect.options)
        return None
