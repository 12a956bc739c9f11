"""`python -m benchmarks` writes each benchmark's section into the document between its markers:
created when absent, replaced (not duplicated) when the benchmark runs again, the rest of the
document left as it was. This module is itself a tiny benchmark the runner is pointed at."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "tiny"


def run(quick: bool) -> str:
    """A benchmark that measures nothing: the section says whether it was asked for a quick run."""
    return f"## Tiny\n\nA {'quick' if quick else 'full'} run.\n\n| figure | value |\n|---|---|\n| answer | 42 |\n"


def bench(doc: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmarks", "--module", "tests.test_benchmarks_runner",
                           "--doc", str(doc), *extra], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_a_quick_run_writes_its_section_between_markers_and_a_rerun_replaces_it(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nHand-written notes stay.\n")
    done = bench(doc, "--quick", "--only", "tiny")
    assert done.returncode == 0, done.stderr
    assert "| answer | 42 |" in done.stdout  # printed as well as written
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\nHand-written notes stay.\n")
    section = text.split("<!-- bench:tiny -->\n", 1)[1].split("<!-- /bench:tiny -->", 1)[0]
    assert "A quick run." in section and "| answer | 42 |" in section
    assert f"Python {sys.version.split()[0]}" in section and "CPUs" in section

    doc.write_text(text + "\nMore notes after.\n")
    assert bench(doc, "--only", "tiny").returncode == 0
    again = doc.read_text()
    assert again.count("<!-- bench:tiny -->") == 1 and again.count("<!-- /bench:tiny -->") == 1
    assert "A full run." in again and "A quick run." not in again
    assert again.rstrip().endswith("More notes after.")


def test_an_unknown_benchmark_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    done = bench(doc, "--quick", "--only", "no-such-bench")
    assert done.returncode == 2
    assert "no benchmark named no-such-bench" in done.stderr and "tiny" in done.stderr
    assert not doc.exists()
