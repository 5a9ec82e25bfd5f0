"""Run the gateway: in the foreground (`serve`), or in a thread of this process.

`InProcessGateway` lets the agent, tests and evals talk real HTTP to a site
without a separate server:

    with InProcessGateway(db_path=tmp / "site.db") as gateway:
        client = GatewayClient(gateway.url)
"""

from __future__ import annotations

import logging
import socket
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from types import TracebackType

import uvicorn

from simulator.errors import SimulatorError
from simulator.gateway import create_app
from simulator.model import DEMO_SITE_DIR

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 15.0
"""How long `InProcessGateway` waits for the server to accept connections."""


def serve(
    site_dir: Path = DEMO_SITE_DIR,
    db_path: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
) -> None:
    """Serve the site's gateway on host:port until interrupted (blocks)."""
    app = create_app(site_dir, db_path)
    logger.info("serving the %s gateway on http://%s:%d", site_dir, host, port)
    uvicorn.run(app, host=host, port=port, log_level="info")


class InProcessGateway:
    """A gateway served by uvicorn in a daemon thread on a free local port.

    Use it as a context manager; `url` is the base URL (`http://127.0.0.1:PORT`).
    Without `db_path` the state lives in a temporary folder removed on exit.
    """

    def __init__(
        self,
        site_dir: Path = DEMO_SITE_DIR,
        db_path: Path | None = None,
        now: datetime | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if db_path is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="fieldpilot-site-")
            db_path = Path(self._tempdir.name) / "site.db"
        self.app = create_app(site_dir, db_path, now=now)
        self._host = host
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> InProcessGateway:
        """Bind a free port, start serving and wait until the server is up."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level="warning", lifespan="off", access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run,
            kwargs={"sockets": [sock]},
            name=f"fieldpilot-gateway-{port}",
            daemon=True,
        )
        self._socket, self._server, self._thread = sock, server, thread
        thread.start()

        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SimulatorError(
                    f"The in-process gateway did not start on {self._host}:{port} "
                    f"within {STARTUP_TIMEOUT_S:.0f} s; see the log for the cause."
                )
            time.sleep(0.01)
        self.url = f"http://{self._host}:{port}"
        logger.info("in-process gateway serving on %s", self.url)
        return self

    def stop(self) -> None:
        """Ask the server to finish, wait for its thread, and free the port."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None
        self._server = self._thread = self._socket = None

    def __enter__(self) -> InProcessGateway:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
