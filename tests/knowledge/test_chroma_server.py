"""A knowledge base shared through a real Chroma server (`chroma run` on loopback),
as sites that share one set of manuals run it (FIELDPILOT_CHROMA_URL)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.index import ManualIndex

FIXTURES = Path(__file__).parent / "fixtures" / "manuals"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Chroma server with its own data folder, stopped after the module."""
    chroma = Path(sys.executable).parent / "chroma"
    assert chroma.exists(), "the chromadb package installs the `chroma` command"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(data / "db"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"chroma run did not start: {(data / 'server.log').read_text()}"
                )
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_two_sites_share_the_vectors_on_the_server(
    chroma_url: str, tmp_path: Path
) -> None:
    writer = ManualIndex(tmp_path / "site-a", "shared-manuals", chroma_url=chroma_url)
    report = writer.ingest(FIXTURES)
    assert report.files_indexed == 4 and report.chunks_added > 0
    assert not (tmp_path / "site-a" / "chroma.sqlite3").exists()
    # Another site's index sees the same documents without ingesting them.
    reader = ManualIndex(
        tmp_path / "site-b", "shared-manuals", chroma_url=chroma_url, lexical=False
    )
    assert {d["document"] for d in reader.documents()} == {
        d["document"] for d in writer.documents()
    }
    hits = reader.search("the pump will not prime", k=3)
    assert hits[0].document == "pumps/centrifugal_pump.md"


def test_a_dead_chroma_server_is_a_clear_error(tmp_path: Path) -> None:
    from knowledge.errors import KnowledgeError

    index = ManualIndex(tmp_path / "idx", chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(KnowledgeError, match="Chroma server"):
        index.search("anything")
    shutil.rmtree(tmp_path / "idx", ignore_errors=True)
