"""The `isas-catalog` command: demo, stats, audit, and serve on a real port under gunicorn."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CATALOG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_demo_builds_a_small_archive_and_stats_count_it(env: dict[str, str]) -> None:
    code, out, _ = run(env, "demo", "--granules", "300", "--today", "2026-11-21")
    assert code == 0, out
    assert "granules: 300 were added" in out
    code, out, _ = run(env, "stats", "--json", "--at", "2026-11-21")
    assert code == 0
    counts = json.loads(out)
    assert counts["missions"] >= 15
    assert sum(counts["datasets"].values()) >= 90
    assert sum(counts["granules"].values()) == 300
    assert all(counts["datasets"][v] > 0 for v in ("public", "restricted", "deleted", "hidden"))


def test_demo_is_deterministic(env: dict[str, str], tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (first, second):
        code, _, _ = run(env, "demo", "--granules", "200", "--today", "2026-11-21", "--output", str(path))
        assert code == 0
    assert first.read_bytes() == second.read_bytes()
    code, out, _ = run(env, "load", "--dry-run", str(first))
    assert code == 0
    assert "dry run" in out


def test_reloading_the_demo_changes_nothing(env: dict[str, str]) -> None:
    run(env, "demo", "--granules", "100", "--today", "2026-11-21")
    code, out, _ = run(env, "demo", "--granules", "100", "--today", "2026-11-21")
    assert code == 0
    assert "granules: 0 were added, 0 updated, 100 unchanged" in out


def test_load_renders_ahead_and_render_follows_a_change_of_base_url(env: dict[str, str]) -> None:
    code, out, _ = run(env, "demo", "--granules", "0", "--today", "2026-11-21")
    assert code == 0
    rendered = re.search(r"renditions: (\d+) of (\d+) datasets rendered ahead", out)
    assert rendered is not None, out
    assert 0 < int(rendered[1]) <= int(rendered[2]), out
    code, out, _ = run(env, "render")
    assert code == 0
    assert out.strip().startswith("renditions: 0 of"), out
    code, out, _ = run({**env, "CATALOG_BASE_URL": "http://elsewhere.example"}, "render")
    assert code == 0
    assert f"renditions: {rendered[1]} of {rendered[2]}" in out
    code, out, _ = run({**env, "CATALOG_BASE_URL": "http://elsewhere.example"}, "render", "--force")
    assert f"renditions: {rendered[2]} of {rendered[2]}" in out


def test_audit_reports_findings_of_the_demo(env: dict[str, str]) -> None:
    run(env, "demo", "--granules", "0", "--today", "2026-11-21")
    code, out, _ = run(env, "audit", "--json", "--at", "2026-11-21")
    assert code == 0
    codes = {json.loads(line)["code"] for line in out.splitlines()}
    assert {"overdue-review", "public-without-doi", "proprietary-beyond-guideline"} <= codes


def test_audit_rejects_a_bad_moment(env: dict[str, str]) -> None:
    code, _, err = run(env, "audit", "--at", "yesterday")
    assert code == 2
    assert "'yesterday' is not an RFC 3339 time" in err


def test_stats_on_unmigrated_store_says_what_to_do(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "cli.sqlite").touch()
    code, _, err = run(env, "stats")
    assert code == 1
    assert "isas-catalog migrate" in err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


SERVED: dict[str, int] = {}
"""The process id of each server `serving` runs, by base URL."""


@contextmanager
def serving(env: dict[str, str], cwd: Path, *options: str) -> Iterator[str]:
    """Run `isas-catalog serve` on a free port under gunicorn; yield its base URL once it accepts connections."""
    port = free_port()
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", "2", *options]
    server = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        SERVED[base] = server.pid
        yield base
    finally:
        SERVED.pop(base, None)
        server.terminate()
        server.wait(timeout=20)


def test_serve_answers_on_a_real_port(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "demo", "--granules", "50", "--today", "2026-11-21")
    with serving(env, tmp_path) as base:
        with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
            assert json.load(response) == {"status": "ok"}
        request = urllib.request.Request(f"{base}/", headers={"Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.load(response)
    assert body["catalog"]["missions"] >= 15


def test_serve_becomes_a_gunicorn_master_that_holds_no_app(env: dict[str, str], tmp_path: Path) -> None:
    """`serve` checks the store, then execs gunicorn in its place: its workers build the app, the master does not
    (it would keep 110 MB no request uses)."""
    run(env, "demo", "--granules", "0", "--today", "2026-11-21")
    with serving(env, tmp_path) as base:
        master = SERVED[base]
        command = Path(f"/proc/{master}/cmdline").read_bytes().split(b"\0")
        modules = Path(f"/proc/{master}/maps").read_text()
        with urllib.request.urlopen(f"{base}/health", timeout=5) as response:
            assert response.status == 200
    assert b"gunicorn" in command
    assert b"server:create_app()" in command
    assert "etree" not in modules, "the master never imported the app (lxml's extension is not mapped)"


def test_serve_without_migrating_reports_an_unmigrated_store(env: dict[str, str], tmp_path: Path) -> None:
    with serving(env, tmp_path, "--no-migrate") as base, pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{base}/health", timeout=5)
    assert answer.value.code == 503
    assert "isas-catalog migrate" in json.load(answer.value)["reason"]
