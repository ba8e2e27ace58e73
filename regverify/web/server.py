"""``regverify serve``: the practice page on a socket this process binds, under uvicorn."""
from __future__ import annotations

import os
import socket
import sys


class ServeError(Exception):
    """The server cannot start: the message names the cause and the next step."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0: a free port), before the server starts, so that the
    printed address answers at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror}; choose another --port "
                         "(or --port 0 for a free one) or --host") from None
    sock.listen(2048)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(host: str = "127.0.0.1", port: int = 8000, bank: str | None = None, feedback: str = "hint",
          workers: int | None = None, log: str | None = None, show_reports: bool | None = None) -> int:
    try:   # every package of the serve extra, before anything starts (the workers typeset with latex2mathml)
        import latex2mathml.converter  # noqa: F401
        import markdown_it  # noqa: F401
        import mdit_py_plugins.dollarmath  # noqa: F401
        import uvicorn
        from .app import create_app
    except ImportError as error:
        missing = (error.name or "a package").split(".")[0]
        raise ServeError(f"serve needs the web server's packages ({missing} is missing); install them "
                         "with: pip install 'regverify[serve]'") from None
    from regverify.grading.bank import BankError
    workers = workers or max(2, os.cpu_count() or 1)
    try:
        app = create_app(bank=bank, feedback=feedback, workers=workers, log=log, show_reports=show_reports)
    except BankError as error:
        raise ServeError(f"the question bank cannot be read: {error}") from None
    except OSError as error:
        raise ServeError(f"cannot open the answer log {log}: {error.strerror}; give a writable --log FILE") from None
    sock = bind(host, port)
    config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False, server_header=False,
                            timeout_graceful_shutdown=5, limit_concurrency=1000)
    server = uvicorn.Server(config)
    stored = f"graded answers appended to {log}" if log else "no answer is stored"
    reports = "reports served" if app.state.show_reports else "no reports served"
    print(f"regverify serve: {address(sock)}  (feedback: {feedback}; {workers} grading workers; {stored}; {reports}). "
          "Ctrl-C stops it.", flush=True)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:      # uvicorn has shut down cleanly, then passes the Ctrl-C on
        pass
    finally:
        sock.close()
    print("regverify serve: stopped", file=sys.stderr, flush=True)
    return 0
