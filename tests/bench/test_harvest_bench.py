"""bench/harvest.py: its checks refuse a fast wrong harvest, and a tiny run against a live `isas-catalog serve`
prints its tables with counts that check out."""

import dataclasses
import re
from pathlib import Path

import pytest

from bench.harvest import Command, Harvest, Listed, Run, main, problems, read_run


def _command(seconds: float, stdout: str = "", returncode: int = 0) -> Command:
    return Command(("harvest", "run"), returncode, stdout, "", seconds, 80_000, 3, 200_000)


def _run(added: int, *, unchanged: int = 0, failed: int = 0, pages: int = 1, status: str = "ok") -> Run:
    counts = {"added": added, "updated": 0, "unchanged": unchanged, "deleted": 0, "failed": failed}
    return Run(status, None, counts, pages, 1.0)


GOOD = Harvest(
    backend="sqlite",
    prefix="oai_dc",
    page_size=100,
    listed=Listed(records=250, deleted=10),
    startup=0.5,
    first=_run(240, unchanged=10, pages=3),
    first_command=_command(3.0),
    held=240,
    again=_run(0, unchanged=2),
    again_command=_command(1.0),
)


def test_a_harvest_that_adds_what_the_source_lists_passes() -> None:
    assert problems(GOOD) == []
    assert GOOD.rate == pytest.approx(250 / 3)
    assert GOOD.harvest_rate == 250.0
    assert GOOD.after == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"first": _run(200, unchanged=10, pages=3), "held": 200}, "200 added, the source lists 240"),
        ({"first": _run(239, unchanged=10, failed=1, pages=3), "held": 239}, "1 records failed"),
        ({"held": 120}, "holds 120 datasets"),
        ({"first": _run(240, unchanged=10, pages=2)}, "2 pages, 3 expected"),
        ({"first": _run(240, unchanged=5, pages=3)}, "245 records accounted for"),
        ({"first": _run(240, unchanged=10, pages=3, status="failed")}, "status failed"),
        ({"again": _run(3)}, "second run: 3 added"),
    ],
)
def test_a_fast_wrong_harvest_does_not_pass(change: dict[str, object], problem: str) -> None:
    found = problems(dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert any(problem in line for line in found), found


def test_the_run_is_read_from_the_json_line() -> None:
    line = (
        '{"source": "bench", "status": "ok", "pages": 3, "added": 240, "updated": 0, "unchanged": 0, '
        '"deleted": 0, "failed": 0, "message": null, "seconds": 1.25}'
    )
    run = read_run(_command(2.0, f"{line}\n"))
    assert run == Run("ok", None, {"added": 240, "updated": 0, "unchanged": 0, "deleted": 0, "failed": 0}, 3, 1.25)
    assert run.records == 240


def test_a_tiny_run_prints_its_tables_and_its_counts_check_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--datasets", "60", "--backends", "sqlite", "--page-size", "25", "--keep", str(tmp_path)])
    out = capsys.readouterr().out
    assert "MISMATCH" not in out, out
    assert status == 0, out
    for prefix in ("oai_datacite", "oai_dc"):
        row = re.search(
            rf"^sqlite +{prefix} +(\d+) +(\d+) +(\d+) +0 +(\d+) +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d,]+ +[\d,]+ "
            r"+([\d.]+) +\d+ +([\d.]+)$",
            out,
            re.MULTILINE,
        )
        assert row is not None, f"no row for {prefix}:\n{out}"
        listed, deleted, records, pages = (int(row[n]) for n in range(1, 5))
        assert 0 < records <= listed <= 60
        assert records in (listed, listed - deleted)
        assert pages == -(-listed // 25)
        assert float(row[5]) > 0
        assert float(row[6]) > 0
        again = re.search(rf"^sqlite +{prefix} +(\d+) +0 +0 +\d+ +0 +\d+ ", out, re.MULTILINE)
        assert again is not None, f"no second run for {prefix}:\n{out}"
        assert re.search(rf"^sqlite {prefix}: OK: ", out, re.MULTILINE), out
    assert list(tmp_path.glob("oai-60-*.jsonl")), "the archive is kept for the next run"
