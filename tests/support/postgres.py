"""A throwaway PostgreSQL server on loopback for the tests: initdb in a temporary folder, start,
hand out fresh databases, stop and remove. As root it runs as the `postgres` user."""
from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url


# The data folder goes in memory when the machine has a tmpfs: every test's database is written
# and thrown away, and on disk that writing (a copy of the template each time) is what costs most.
MEMORY = Path("/dev/shm")


def find_bin_dir() -> Path | None:
    """Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<version>/bin."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def on_own_loop(work: Coroutine[Any, Any, None], timeout: float | None = None) -> None:
    """Runs `work` to the end on a new event loop in a helper thread: callable from sync fixtures and
    from inside a test's running loop alike."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result(timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="gofirst-pg-", dir=MEMORY if MEMORY.is_dir() else None))
        self.data = self.folder / "data"
        self.as_root = os.geteuid() == 0
        self._counter = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> "ThrowawayPostgres":
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self.resume()

    def halt(self) -> None:
        """The database goes away (an outage); `resume` brings it back with its data."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def resume(self) -> "ThrowawayPostgres":
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off -c synchronous_commit=off "
                   f"-c full_page_writes=off -c unix_socket_directories={self.folder} -c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w",
                  "-t", "30", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str) -> None:
        """Runs each statement on its own (CREATE DATABASE refuses a transaction block) over one
        connection: in-process and on its own event loop, a tenth of what starting `psql` costs."""
        async def run() -> None:
            conn = await asyncpg.connect(host="127.0.0.1", port=self.port, user="postgres", database="postgres")
            try:
                for statement in statements:
                    await conn.execute(statement)
            finally:
                await conn.close()

        on_own_loop(run(), timeout=60)

    def create_database(self, name: str | None = None, template: str = "template1") -> str:
        """A new database, empty or a copy of `template`, so tests never see each other's rows."""
        if name is None:
            self._counter += 1
            name = f"gofirst_test_{self._counter}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Frees a test's database as the test ends, so a session's databases never pile up."""
        self.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
