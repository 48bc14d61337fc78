"""``hw7-tui --serve``: the same app in a web browser, served on localhost by textual-serve.

Each browser tab runs its own ``hw7-tui`` process (textual-serve starts the command per
session); the state directory is shared, as in the terminal.

The door is locked (textual-serve itself checks nothing: any web page the user visits could open
a WebSocket to localhost and type keys into the app):

* **A token per server** (``secrets.token_urlsafe``), printed in the URL shown at start, as
  Jupyter does: ``http://localhost:8000/?token=…``. The page needs it (query string, or the
  cookie the page sets), and so does the WebSocket (it is part of its path, ``/ws/<token>``) and
  every download. Compared in constant time.
* **Our Origin only**: a WebSocket must come from ``http(s)://localhost:PORT`` or
  ``http(s)://127.0.0.1:PORT`` (browsers always send Origin; a page on another site cannot fake
  it), and every request must name one of those hosts (``Host``), which defeats DNS rebinding.
* **A limit on sessions** (``--max-sessions``, default 4): each session is a ~270 MB process; past
  the limit the page says so and the WebSocket is refused (HTTP 503).
"""

from __future__ import annotations

import html
import secrets
import shlex
import socket
import sys
from typing import Any

from tui.cli.common import UsageError

DEFAULT_MAX_SESSIONS = 4
MAX_SESSIONS_LIMIT = 64
COOKIE = "hw7_tui_token"
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def serve_command(problem: int | None, fresh: bool) -> str:
    """The command textual-serve runs for each browser session."""
    parts = [sys.executable, "-m", "tui.cli"]
    if problem:
        parts += ["--problem", str(problem)]
    if fresh:
        parts.append("--fresh")
    return shlex.join(parts)


def check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            raise UsageError(f"port {port} on {host} is already in use; choose another with --port") from None


def _page(title: str, text: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>hw7-tui: {html.escape(title)}</title></head>"
            f"<body style='font-family: sans-serif; max-width: 40em; margin: 4em auto'>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>")


def make_server(command: str, *, host: str = "localhost", port: int = 8000,
                max_sessions: int = DEFAULT_MAX_SESSIONS, token: str | None = None):
    """A textual-serve Server with the door locked (see the module docstring)."""
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve.server import Server, to_int

    class LockedServer(Server):
        def __init__(self) -> None:
            super().__init__(command, host=host, port=port, title="hw7-tui")
            self.token = token or secrets.token_urlsafe(32)
            self.max_sessions = max_sessions
            self.sessions = 0

        # ---- what is allowed ------------------------------------------------------------------
        def set_port(self, actual: int) -> None:
            """The port really bound (tests bind port 0)."""
            self.port = actual
            self.public_url = f"http://{self.host}:{actual}"

        @property
        def url(self) -> str:
            return f"{self.public_url}/?token={self.token}"

        def allowed_hosts(self) -> set[str]:
            return {f"{h}:{self.port}" for h in LOCAL_HOSTS}

        def allowed_origins(self) -> set[str]:
            return {f"{scheme}://{h}:{self.port}" for scheme in ("http", "https") for h in LOCAL_HOSTS}

        def token_ok(self, given: str | None) -> bool:
            return bool(given) and secrets.compare_digest(str(given).encode(), self.token.encode())

        @web.middleware
        async def guard(self, request: web.Request, handler):
            if request.host not in self.allowed_hosts():
                return web.Response(status=403, content_type="text/html",
                                    text=_page("Wrong address", f"Open this server at {self.public_url}."))
            route = request.match_info.route.name
            if route == "static":
                return await handler(request)  # the page's own scripts and fonts: nothing secret
            if route == "websocket":
                given = request.match_info.get("token")
            else:
                given = request.query.get("token") or request.cookies.get(COOKIE)
            if not self.token_ok(given):
                return web.Response(status=403, content_type="text/html", text=_page(
                    "This link needs its token",
                    "Open the full address printed in the terminal where hw7-tui --serve started "
                    "(it ends in ?token=…)."))
            if route == "websocket":
                origin = request.headers.get("Origin")
                if origin not in self.allowed_origins():
                    return web.Response(status=403, text=f"refused: Origin {origin!r} is not this server")
            if route in ("websocket", "index") and self.sessions >= self.max_sessions:
                return web.Response(status=503, content_type="text/html", text=_page(
                    "hw7-tui is full",
                    f"hw7-tui is already open in {self.sessions} browser tabs, the most this server allows "
                    f"(--max-sessions {self.max_sessions}): close one of them and reload this page."))
            response = await handler(request)
            if route == "index":
                response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
            return response

        # ---- textual-serve's app, with the guard and the token in the WebSocket path ----------------
        async def _make_app(self) -> web.Application:
            app = web.Application(middlewares=[self.guard])
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes([
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ])
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        async def on_startup(self, app: web.Application) -> None:
            print(f"serving hw7-tui at {self.url}\n(open that address; at most {self.max_sessions} "
                  f"browser tabs at once; ctrl+c stops)", file=sys.stderr)

        @aiohttp_jinja2.template("app_index.html")
        async def handle_index(self, request: web.Request) -> dict[str, Any]:
            router = request.app.router
            static = f"{self.public_url}{router['static'].url_for(filename='/')}".rstrip("/") + "/"
            ws_path = router["websocket"].url_for(token=self.token)
            return {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                "app_websocket_url": "ws:" + f"{self.public_url}{ws_path}".split(":", 1)[1],
                "config": {"static": {"url": static}},
                "application": {"name": self.title},
            }

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            self.sessions += 1  # counted before the first await: the guard's check and this agree
            try:
                return await super().handle_websocket(request)
            finally:
                self.sessions -= 1

    return LockedServer()


def serve(port: int = 8000, problem: int | None = None, fresh: bool = False, host: str = "localhost",
          max_sessions: int = DEFAULT_MAX_SESSIONS) -> int:
    try:
        import textual_serve.server  # noqa: F401
    except ModuleNotFoundError:
        raise UsageError("--serve needs textual-serve: pip install 'hw7-tui[serve]'") from None
    check_port_free(host, port)
    make_server(serve_command(problem, fresh), host=host, port=port, max_sessions=max_sessions).serve()
    return 0
