"""What the benchmarks share: the machine line, percentiles and Markdown tables, timing with peak
memory, and child processes (servers started apart from the load generator, their CPU read from
/proc, stopped however they end), so every benchmark measures and reports the same way."""
from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GOFIRST = str(Path(PYTHON).with_name("gofirst"))


def machine() -> str:
    """One line naming what the figures were measured on."""
    return (f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the start")


def command_line(module: str, quick: bool) -> str:
    return f"`python -m benchmarks --only {module}{' --quick' if quick else ''}`"


def heading(title: str, module: str, quick: bool) -> str:
    """The heading and the line with the command and the machine that every section starts with."""
    return f"## {title}\n\n{command_line(module, quick)} on {machine()}.\n"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1); 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def timed(count: int, work: Callable[[], object]) -> tuple[str, str]:
    """Throughput of one untraced run, then the peak allocation of a second, traced run (tracing
    slows Python down several times, so the two are kept apart)."""
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return f"{count / elapsed:,.1f}/s ({elapsed * 1000 / count:.2f} ms each)", f"{peak / 1e6:.1f} MB"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Child:
    """A server process of a benchmark: started with its own environment, its output in a log
    file (a pipe nobody reads would fill up and stall it), waited for on a URL, stopped at the end."""

    def __init__(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out,
                                         stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def wait_for(self, url: str, timeout: float = 60.0) -> "Child":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log}:\n{self.tail()}")
            try:
                with urlopen(url, timeout=2):
                    return self
            except (URLError, OSError):
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout:.0f} s; see {self.log}")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def quiet(self, below: float = 0.02, interval: float = 0.25, limit: float = 30.0) -> None:
        """Waits until the process uses less than `below` of a CPU over `interval` (its work after
        the acks has drained), so one run's backlog does not slow the next."""
        deadline = time.monotonic() + limit
        last = self.cpu()
        while time.monotonic() < deadline:
            time.sleep(interval)
            now = self.cpu()
            if now - last < below * interval:
                return
            last = now

    def kill(self) -> None:
        """SIGKILL: the process dies mid-work, as a crashed replica does."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
