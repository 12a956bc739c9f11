"""`make bench` (`python -m benchmarks`): runs every benchmark, or `--only NAME` ones, prints each
one's Markdown section and writes it into docs/benchmarks.md between `<!-- bench:NAME -->` markers
with the date, Python and CPU count, so the document always holds the last measured figures.

A benchmark is a module of this package with `NAME: str` and `def run(quick: bool) -> str` (a
Markdown section: heading, the command and machine, the table, notes). A module that still has
only `main()` is run as it was and its printout becomes the section (not in `--quick`)."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import logging
import os
import pkgutil
import platform
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType

import benchmarks
from benchmarks._common import ROOT, machine

DOC = ROOT / "docs" / "benchmarks.md"
log = logging.getLogger("benchmarks")


@dataclass
class Bench:
    name: str
    module: str
    run: Callable[[bool], str]
    legacy: bool = False


def legacy_run(module: ModuleType) -> Callable[[bool], str]:
    """A `main()`-only benchmark: run with no arguments, its printout under a heading."""
    def run(quick: bool) -> str:
        argv, sys.argv = sys.argv, [module.__name__]
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                module.main()
        finally:
            sys.argv = argv
        short = module.__name__.rsplit(".", 1)[1]
        return f"## {short}\n\n`python -m {module.__name__}` on {machine()}.\n\n{out.getvalue().strip()}\n"
    return run


def as_bench(module: ModuleType) -> Bench | None:
    run, name = getattr(module, "run", None), getattr(module, "NAME", None)
    if callable(run) and isinstance(name, str):
        return Bench(name, module.__name__, run)
    main = getattr(module, "main", None)
    if callable(main):
        return Bench(module.__name__.rsplit(".", 1)[1].replace("_", "-"), module.__name__, legacy_run(module), True)
    return None


def discover(extra: list[str]) -> tuple[list[Bench], list[str]]:
    """Every benchmark module of the package (and any `--module` named), with the ones that could not
    be imported reported rather than stopping the others."""
    names = [f"benchmarks.{m.name}" for m in pkgutil.iter_modules(benchmarks.__path__)
             if not m.name.startswith("_") and not m.ispkg]
    found, broken = [], []
    for dotted in sorted(names) + extra:
        try:
            bench = as_bench(importlib.import_module(dotted))
        except Exception as exc:
            broken.append(f"{dotted}: {type(exc).__name__}: {exc}")
            continue
        if bench is not None:
            found.append(bench)
    return found, broken


def stamp() -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"_Written by `python -m benchmarks` on {now}: Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs ({platform.machine()})._\n")


def write_section(doc: Path, name: str, section: str) -> None:
    """Replaces what lies between the benchmark's markers, or appends the markers at the end."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{section.rstrip()}\n\n{stamp()}{end}"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    doc.write_text(text if text.endswith("\n") else text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this benchmark (repeatable, or comma-separated)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run: fewer, shorter rounds")
    parser.add_argument("--doc", type=Path, default=DOC, help="the Markdown file the sections go into")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the document alone")
    parser.add_argument("--module", action="append", default=[], help="also a benchmark module outside the package")
    parser.add_argument("--list", action="store_true", help="name every benchmark and stop")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)
    found, broken = discover(args.module)
    for problem in broken:
        log.error("benchmark module not loaded: %s", problem)
    wanted = {n.strip() for group in args.only for n in group.split(",") if n.strip()}
    chosen = [b for b in found if not wanted or b.name in wanted or b.module.rsplit(".", 1)[1] in wanted]
    if args.list:
        print("\n".join(f"{b.name}  ({b.module}{', main() only' if b.legacy else ''})" for b in found))
        return 0
    unknown = wanted - {b.name for b in chosen} - {b.module.rsplit(".", 1)[1] for b in chosen}
    if unknown:
        print(f"no benchmark named {', '.join(sorted(unknown))}; known: {', '.join(b.name for b in found)}",
              file=sys.stderr)
        return 2
    failed = bool(broken and not wanted)
    for bench in chosen:
        if args.quick and bench.legacy:
            log.info("%s has no quick mode (main() only): skipped", bench.name)
            continue
        log.info("running %s%s", bench.name, " (quick)" if args.quick else "")
        started = time.monotonic()
        try:
            section = bench.run(args.quick)
        except Exception:
            log.error("benchmark %s failed:\n%s", bench.name, traceback.format_exc())
            failed = True
            continue
        print(section, flush=True)
        log.info("%s took %.0f s", bench.name, time.monotonic() - started)
        if not args.no_write:
            write_section(args.doc, bench.name, section)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
