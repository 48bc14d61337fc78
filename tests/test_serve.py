"""Issue 13, the browser mode locks its door: a real server on 127.0.0.1 (an ephemeral port) and a
real aiohttp client. No token → refused; a foreign Origin → refused; over the session limit →
refused; the right token → a working session whose app process starts, and is gone after."""

import asyncio
import contextlib
import os
import sys

import pytest

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")
from aiohttp import web  # noqa: E402

from tui.serve import COOKIE, make_server, serve_command  # noqa: E402



@contextlib.asynccontextmanager
async def running(command: str, max_sessions: int = 2):
    server = make_server(command, host="127.0.0.1", port=0, max_sessions=max_sessions)
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.set_port(site._server.sockets[0].getsockname()[1])
    try:
        yield server
    finally:
        await drained(server)
        await asyncio.wait_for(runner.cleanup(), 15)


async def drained(server, seconds: float = 15) -> None:
    """Wait until every session has ended and its app process has exited (none left behind)."""
    async with asyncio.timeout(seconds):
        while server.sessions or children():
            await asyncio.sleep(0.05)


def children() -> list[int]:
    """Live (not zombie) processes whose parent is this test process."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            found.append(int(pid))
    return found


# A stand-in for the app: prints textual-serve's prelude, then one data packet, then waits for stdin to
# close (the quit message) — starts in milliseconds, so the limit tests need not start Textual.
FAKE_APP = (f"{sys.executable} -c \"import sys,time; o=sys.stdout.buffer; o.write(b'__GANGLION__\\n'); "
            f"o.write(b'D'+(5).to_bytes(4,'big')+b'hello'); o.flush(); sys.stdin.buffer.read(1); time.sleep(0.1)\"")


def origin(server) -> str:
    return f"http://127.0.0.1:{server.port}"


async def test_the_page_needs_the_token():
    async with running(FAKE_APP) as server, aiohttp.ClientSession() as client:
        assert server.url.startswith(f"http://127.0.0.1:{server.port}/?token=") and len(server.token) >= 32
        async with client.get(f"{origin(server)}/") as r:
            assert r.status == 403 and "token" in await r.text()
        async with client.get(f"{origin(server)}/?token=wrong") as r:
            assert r.status == 403
        async with client.get(server.url) as r:
            page = await r.text()
            assert r.status == 200 and f"/ws/{server.token}" in page
            assert r.cookies[COOKIE].value == server.token and r.cookies[COOKIE]["samesite"] == "Strict"
        async with client.get(f"{origin(server)}/static/css/xterm.css") as r:
            assert r.status == 200  # the page's own files carry no secret


async def test_two_servers_have_different_tokens():
    assert make_server("x").token != make_server("x").token


async def test_the_websocket_needs_the_token_and_our_origin():
    async with running(FAKE_APP) as server, aiohttp.ClientSession() as client:
        base = f"ws://127.0.0.1:{server.port}"
        for url, headers in [
            (f"{base}/ws/wrong", {"Origin": origin(server)}),                     # no token
            (f"{base}/ws", {"Origin": origin(server)}),                           # textual-serve's open door
            (f"{base}/ws/{server.token}", {"Origin": "https://evil.example"}),    # a foreign page
            (f"{base}/ws/{server.token}", {"Origin": "http://127.0.0.1:1"}),      # another local port
            (f"{base}/ws/{server.token}", {}),                                    # no Origin at all
        ]:
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await client.ws_connect(url, headers=headers)
            assert err.value.status in (403, 404), url
        assert children() == [] and server.sessions == 0  # nothing was started


async def test_a_rebound_host_name_is_refused():
    async with running(FAKE_APP) as server, aiohttp.ClientSession() as client:
        async with client.get(server.url, headers={"Host": f"evil.example:{server.port}"}) as r:
            assert r.status == 403


async def test_sessions_over_the_limit_are_refused_with_a_clear_page():
    async with running(FAKE_APP, max_sessions=2) as server, aiohttp.ClientSession() as client:
        url = f"ws://127.0.0.1:{server.port}/ws/{server.token}"
        first = await client.ws_connect(url, headers={"Origin": origin(server)})
        second = await client.ws_connect(url, headers={"Origin": origin(server)})
        try:
            assert server.sessions == 2
            with pytest.raises(aiohttp.WSServerHandshakeError) as err:
                await client.ws_connect(url, headers={"Origin": origin(server)})
            assert err.value.status == 503
            async with client.get(server.url) as r:
                text = await r.text()
                assert r.status == 503 and "--max-sessions 2" in text and "close one" in text
        finally:
            await first.close()
            await second.close()
        await drained(server)
        third = await client.ws_connect(url, headers={"Origin": origin(server)})  # a freed place is usable
        assert (await third.receive()).data == b"hello"
        await third.close()
        await drained(server)


async def test_the_right_token_opens_a_working_session_of_the_real_app(tmp_path, monkeypatch):
    monkeypatch.setenv("HW7_TUI_DATA_DIR", str(tmp_path / "data"))
    async with running(serve_command(1, True)) as server, aiohttp.ClientSession() as client:
        ws = await client.ws_connect(f"ws://localhost:{server.port}/ws/{server.token}?width=80&height=24",
                                     headers={"Origin": f"http://localhost:{server.port}", "Host": f"localhost:{server.port}"})
        try:
            received = b""
            async with asyncio.timeout(30):
                while len(received) < 4000:  # the app's first frame: escape codes and the screen's text
                    message = await ws.receive()
                    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += message.data
            assert received.startswith(b"\x1b[?1049h")  # the alternate screen: a Textual app drawing
            assert len(children()) >= 1 and server.sessions == 1  # the app process runs
        finally:
            await ws.close()
        await drained(server)  # and is gone once the tab closes


def test_max_sessions_option(monkeypatch):
    from tui.cli import build_parser

    assert build_parser().parse_args([]).max_sessions == 4
    assert build_parser().parse_args(["--serve", "--max-sessions", "2"]).max_sessions == 2
    from tui.cli.common import UsageError

    with pytest.raises(UsageError):
        build_parser().parse_args(["--max-sessions", "0"])
