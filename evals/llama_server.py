"""llama-cpp-python's OpenAI-compatible server in a child process on loopback.

The baseline of the planner scenarios talks to it as LangChain would to any
OpenAI endpoint; tests use it as a real server.

    with LlamaServer(model_path) as server:
        httpx.get(f"{server.url}/models")
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger(__name__)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LlamaServer:
    """llama-cpp-python's OpenAI-compatible server in a child process on loopback.

    `url` is the OpenAI base URL (`http://127.0.0.1:PORT/v1`), `model` the alias
    to name in requests.
    """

    def __init__(
        self,
        model_path: Path,
        model: str = "qwen2.5-coder-1.5b",
        n_ctx: int = 8192,
        n_threads: int = 2,
        chat_format: str | None = None,
        start_timeout: float = 120.0,
        cache: bool = False,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.model = model
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.chat_format = chat_format
        self.start_timeout = start_timeout
        self.cache = cache
        self.log_path = Path(log_path) if log_path else None
        self.host = "127.0.0.1"
        self.port = 0
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        cmd = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
        ]
        cmd += ["--model_alias", self.model, "--host", self.host]
        cmd += ["--port", str(self.port), "--n_threads", str(self.n_threads)]
        cmd += ["--n_ctx", str(self.n_ctx)]
        if self.chat_format:
            cmd += ["--chat_format", self.chat_format]
        if self.cache:
            # Keep several prompt states, so that an answer prompt between two
            # planner calls does not make the server read the site prompt again.
            # Seen here: the server died without a word after a hundred or so
            # requests with this cache on; the routing eval keeps it off.
            cmd += ["--cache", "true", "--cache_type", "ram"]
        return cmd

    def start(self) -> LlamaServer:
        """Start the server and wait until `/v1/models` answers."""
        if not self.model_path.exists():
            raise FileNotFoundError(
                f"{self.model_path} is missing: run `fieldpilot setup` first."
            )
        from agent.models import check_llama_build

        check_llama_build()  # the server runs the same library
        self.port = free_port(self.host)
        self.url = f"http://{self.host}:{self.port}/v1"
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("a+b")
        else:
            self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        log.info("llama server for %s ready at %s", self.model, self.url)
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise RuntimeError(
                        f"The llama server exited with code {self._process.returncode}"
                        f":\n{self.log_tail()}"
                    )
                try:
                    if client.get(f"{self.url}/models").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        raise TimeoutError(
            f"The llama server did not answer within {self.start_timeout:.0f} s:\n"
            f"{self.log_tail()}"
        )

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self._process is not None and self._process.poll() is None

    def exit_code(self) -> int | None:
        """The server's exit status once it has died, else None."""
        return None if self._process is None else self._process.poll()

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's combined stdout and stderr."""
        if self._log is None or self._log.closed:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-chars:]

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop) and close its log."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
