"""``hw7-tui --serve``: the same app in a web browser, served on localhost by textual-serve.

Each browser tab runs its own ``hw7-tui`` process (textual-serve starts the command per
session); the state directory is shared, as in the terminal.
"""

from __future__ import annotations

import shlex
import socket
import sys

from tui.cli.common import UsageError


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


def serve(port: int = 8000, problem: int | None = None, fresh: bool = False, host: str = "localhost") -> int:
    try:
        from textual_serve.server import Server
    except ModuleNotFoundError:
        raise UsageError("--serve needs textual-serve: pip install 'hw7-tui[serve]'") from None
    check_port_free(host, port)
    print(f"serving hw7-tui on http://{host}:{port}  (ctrl+c stops)", file=sys.stderr)
    Server(serve_command(problem, fresh), host=host, port=port, title="hw7-tui").serve()
    return 0
