"""What the benchmarks share: notes and the run header, throw-away stores, and memory read from /proc."""

import argparse
import os
import platform
import shlex
import sqlite3
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

POSTGRES_ENV = "CATALOG_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

StoreSize = Callable[[], int | None]


class BenchError(Exception):
    """The server could not be started or answered something other than what the bench asked for."""


def note(message: str) -> None:
    print(f"# {message}", flush=True)


def run_header(module: str, backends: Sequence[str], postgres_url: str) -> list[str]:
    """Print the command line and the machine; return the backends that can be reached."""
    import sqlalchemy

    print("$ " + shlex.join([sys.executable, "-m", module, *sys.argv[1:]]))
    note(
        f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ} on {platform.node()}: {os.cpu_count()} CPU(s), "
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, SQLite {sqlite3.sqlite_version}"
    )
    usable = list(backends)
    if "postgresql" in usable:
        try:
            note(f"PostgreSQL {postgres_version(postgres_url)} at {postgres_url}")
        except Exception as error:
            note(f"postgresql skipped: cannot connect to {postgres_url}: {type(error).__name__}: {error}")
            usable.remove("postgresql")
    return usable


def admin_engine(base: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(base).set(drivername="postgresql+psycopg"))


@contextmanager
def fresh_sqlite(directory: Path) -> Iterator[tuple[str, StoreSize]]:
    """A new SQLite file in `directory`, deleted afterwards (with its WAL)."""
    path = directory / f"bench-{uuid.uuid4().hex[:12]}.sqlite"
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]

    def size() -> int:
        return sum(f.stat().st_size for f in files if f.exists())

    try:
        yield f"sqlite:///{path}", size
    finally:
        for f in files:
            f.unlink(missing_ok=True)


@contextmanager
def fresh_postgres(base: str) -> Iterator[tuple[str, StoreSize]]:
    """A new schema in the PostgreSQL database of `base`, dropped afterwards (as tests/conftest.py does)."""
    from sqlalchemy import text

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = admin_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"

    def size() -> int | None:
        query = text(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r'"
        )
        with admin.connect() as connection:
            found = connection.execute(query, {"schema": schema}).scalar()
        return None if found is None else int(found)

    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}", size
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def postgres_version(base: str) -> str:
    from sqlalchemy import text

    admin = admin_engine(base)
    try:
        with admin.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        admin.dispose()


def descendants(root: int) -> list[int]:
    """`root` and every process under it, from the parent ids in /proc (the loader's screening workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def proc_kib(pid: int, name: str, key: str) -> int:
    """A size in KiB from `/proc/<pid>/<name>` (the row starting with `key`); 0 when absent or the process is gone."""
    try:
        text = Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return 0
    for row in text.splitlines():
        if row.startswith(key):
            return int(row.split()[1])
    return 0


def pss_kib(pid: int) -> int:
    """A process's proportional set size (shared pages split between their users), else its RSS; 0 once gone."""
    return proc_kib(pid, "smaps_rollup", "Pss:") or proc_kib(pid, "status", "VmRSS:")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, for a benchmark's own server."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def comma_names(allowed: Sequence[str]) -> Any:
    """An argparse type: a comma-separated subset of `allowed`, in the order given, each once."""

    def parse(text: str) -> list[str]:
        names = [part.strip() for part in text.split(",") if part.strip()]
        if not names or set(names) - set(allowed):
            raise argparse.ArgumentTypeError(f"a comma-separated subset of {','.join(allowed)}")
        return list(dict.fromkeys(names))

    return parse


def add_server_options(parser: argparse.ArgumentParser, backends: Sequence[str]) -> None:
    """The options every benchmark over a served store shares: backends, PostgreSQL database, gunicorn workers."""
    parser.add_argument(
        "--backends",
        type=comma_names(backends),
        default=list(backends),
        help=f"comma-separated (default: {','.join(backends)})",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES),
        help=f"PostgreSQL database to make throw-away schemas in (default: ${POSTGRES_ENV}, else {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: 2)")


def add_harvest_options(parser: argparse.ArgumentParser, prefixes: Sequence[str], page_size_help: str) -> None:
    """The options the OAI-PMH benchmarks share: the archive's size, the page size, the formats, the cache."""
    parser.add_argument("--datasets", type=int, default=100_000, help="datasets to synthesize (default: 100000)")
    parser.add_argument("--page-size", type=int, default=100, help=f"{page_size_help} (default: 100)")
    parser.add_argument(
        "--prefixes",
        type=comma_names(prefixes),
        default=list(prefixes),
        help=f"comma-separated (default: {','.join(prefixes)})",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="cache the generated JSON Lines file in DIR")


def stop_on_sigterm(signum: int, _frame: object) -> None:
    """End on SIGTERM as on an error, so that a bench's servers are stopped and its PostgreSQL schemas dropped."""
    raise SystemExit(128 + signum)


def run_bench(
    parser: Callable[[], argparse.ArgumentParser],
    bench: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None,
) -> int:
    """Parse the command line and run a bench: its exit status, or 1 with the message of a `BenchError`."""
    args = parser().parse_args(argv)
    try:
        return bench(args)
    except BenchError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
