"""The `isas-catalog` command: load, demo, render, serve, audit, stats, migrate, export-stac, harvest."""

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask

from catalog.contract import canonical
from catalog.demo import demo_records
from catalog.policy import audit
from catalog.store import StoreError, migrate
from catalog.timeutil import format_time, parse_time, utcnow
from catalog.vocab import Severity
from harvest.loader import Line, LoadError, LoadReport, default_workers, load_files, load_lines
from harvest.renditions import RefreshReport, refresh
from server import create_app, render_context_of, store_of

if TYPE_CHECKING:
    from harvest.oai import RunReport


def _app() -> Flask:
    return create_app()


def _migrate(app: Flask) -> None:
    try:
        migrate(app.config["DATABASE_URL"])
    except StoreError as error:
        raise click.ClickException(str(error)) from error


def _moment(value: str | None) -> datetime:
    if value is None:
        return utcnow()
    try:
        return parse_time(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an RFC 3339 time or a YYYY-MM-DD date") from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """The ISAS/JAXA science archive catalog: OAI-PMH and STAC over the archive's metadata.

    Configuration comes from CATALOG_* environment variables (CATALOG_DATABASE_URL, CATALOG_BASE_URL,
    CATALOG_SECRET_KEY, ...); see the README.
    """


@main.command(name="migrate")
def migrate_command() -> None:
    """Create or upgrade the store's schema."""
    app = _app()
    _migrate(app)
    click.echo(f"store at {app.config['DATABASE_URL']} is up to date")


def _report(report: LoadReport) -> None:
    verb = "would be" if report.dry_run else "were"
    click.echo(f"{report.lines} records read; the store is {'unchanged (dry run)' if report.dry_run else 'updated'}")
    for kind, change in (("missions", report.missions), ("datasets", report.datasets), ("granules", report.granules)):
        click.echo(f"  {kind}: {change.added} {verb} added, {change.updated} updated, {change.unchanged} unchanged")
    if report.retimed:
        click.echo(f"  {report.retimed} granules {verb} re-timed after their dataset's access changed")
    if report.renditions is not None:
        _report_renditions(report.renditions)


def _report_renditions(report: RefreshReport) -> None:
    click.echo(
        f"  renditions: {report.rendered} of {report.datasets} datasets rendered ahead ({report.renditions} written)"
    )


def _fail(error: LoadError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(str(error))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
def load(files: tuple[Path, ...], dry_run: bool) -> None:
    """Load contract-v1 JSON Lines FILES, all or nothing; every problem is listed as FILE:LINE: field: message."""
    app = _app()
    _migrate(app)
    total = sum(path.stat().st_size for path in files)
    with click.progressbar(length=total, label="loading", file=sys.stderr) as bar:
        try:
            report = load_files(
                store_of(app),
                list(files),
                now=utcnow(),
                dry_run=dry_run,
                on_line=lambda line: bar.update(len(line.text.encode()) + 1),
                context=render_context_of(app),
            )
        except LoadError as error:
            _fail(error)
            return
    _report(report)


def _numbered(records: Iterator[dict[str, Any]]) -> Iterator[Line]:
    for number, record in enumerate(records, 1):
        yield Line("demo", number, canonical(record))


@main.command()
@click.option("--granules", default=20_000, show_default=True, help="How many granules to generate.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="The day the archive is built for (default: today).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write JSON Lines here, not the store.")
def demo(granules: int, today: datetime | None, output: Path | None) -> None:
    """Build the demo archive: about 15 ISAS missions, 100 datasets in every policy state, and granules."""
    day: date = today.date() if today is not None else utcnow().date()
    records = demo_records(granules=granules, today=day)
    if output is not None:
        with output.open("w", encoding="utf-8") as stream:
            for line in _numbered(records):
                stream.write(line.text + "\n")
        click.echo(f"wrote {output}")
        return
    app = _app()
    _migrate(app)
    with click.progressbar(length=granules + 150, label="building the demo archive", file=sys.stderr) as bar:
        try:
            report = load_lines(
                store_of(app),
                _numbered(records),
                now=utcnow(),
                on_line=lambda _: bar.update(1),
                context=render_context_of(app),
            )
        except LoadError as error:
            _fail(error)
            return
    _report(report)


@main.command()
@click.option("--force", is_flag=True, help="Render every dataset, not only those whose renditions are stale.")
def render(force: bool) -> None:
    """Render datasets' metadata ahead of requests (after changing CATALOG_BASE_URL, CATALOG_DATACITE_SYMBOL or the
    code). Loads do this for what they change; readers render live whatever is stale, so this is never urgent."""
    app = _app()
    _migrate(app)
    store = store_of(app)
    before = store.rendition_count(render_context_of(app).key)
    with click.progressbar(length=before[1], label="rendering", file=sys.stderr) as bar:
        report = refresh(store, render_context_of(app), force=force, workers=default_workers(), on_batch=bar.update)
    store.analyze()
    _report_renditions(report)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn worker processes.")
@click.option("--dev", is_flag=True, help="Use Flask's development server (reloads on change; not for production).")
@click.option(
    "--migrate/--no-migrate",
    "run_migrations",
    default=True,
    show_default=True,
    help="Upgrade the store's schema before serving; with many machines on one database, migrate once instead.",
)
def serve(host: str, port: int, workers: int, dev: bool, run_migrations: bool) -> None:
    """Serve the catalog over HTTP (gunicorn; --dev for Flask's server)."""
    app = _app()
    if run_migrations:
        _migrate(app)
    click.echo(f"serving {app.config['DATABASE_URL']} at http://{host}:{port}/", err=True)
    if dev:
        app.run(host=host, port=port, debug=True)
        return
    store_of(app).dispose()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, gunicorn_command(host, port, workers))


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """The command `serve` becomes once the store is checked: gunicorn's master in this process, in place of this
    command, so that it holds none of the app (only its workers build one, after the fork). A master that had built
    the app kept 110 MB that no request ever used. The configuration reaches the workers in the environment."""
    bind = f"{host}:{port}"
    options = ["--bind", bind, "--workers", str(workers), "--access-logfile", "-"]
    return [sys.executable, "-m", "gunicorn", *options, "server:create_app()"]


@main.command(name="audit")
@click.option("--at", "at", metavar="TIME", help="Judge at this moment instead of now (RFC 3339 or date).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
@click.option("--strict", is_flag=True, help="Exit with status 1 when there are errors.")
def audit_command(at: str | None, as_json: bool, strict: bool) -> None:
    """Report what the data policy says needs a decision or a fix: overdue deadlines, missing DOIs, ...

    The archive's own datasets only: harvested ones answer to their providers' policies, not to ISAS's."""
    moment = _moment(at)
    app = _app()
    errors = 0
    count = 0
    try:
        for stored in store_of(app).all_datasets():
            if stored.record.provenance is not None:
                continue
            for finding in audit(stored.record, moment):
                count += 1
                errors += finding.severity is Severity.ERROR
                if as_json:
                    click.echo(json.dumps({k: str(v) for k, v in asdict(finding).items()}))
                else:
                    click.echo(f"{finding.severity:7} {finding.record_id}: {finding.code}: {finding.message}")
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    if not as_json:
        click.echo(f"{count} finding(s), {errors} error(s), at {format_time(moment)}", err=True)
    if strict and errors:
        sys.exit(1)


@main.command()
@click.option("--at", "at", metavar="TIME", help="Count at this moment instead of now.")
@click.option("--json", "as_json", is_flag=True)
def stats(at: str | None, as_json: bool) -> None:
    """Count missions, datasets and granules by what the public may see of them."""
    moment = _moment(at)
    app = _app()
    try:
        counts = store_of(app).stats(moment)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps({"at": format_time(moment), **asdict(counts)}))
        return
    click.echo(f"at {format_time(moment)}: {counts.missions} missions")
    for kind, by_visibility in (("datasets", counts.datasets), ("granules", counts.granules or {})):
        parts = ", ".join(f"{n} {visibility}" for visibility, n in by_visibility.items())
        click.echo(f"{kind}: {sum(by_visibility.values())} ({parts})")


@main.command(name="export-stac")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--at", "at", metavar="TIME", help="Export the public view at this moment instead of now.")
@click.option("--force", is_flag=True, help="Replace a previous export in DIRECTORY (nothing else is deleted).")
def export_stac_command(directory: Path, at: str | None, force: bool) -> None:
    """Write the public view as a self-contained static STAC catalog in DIRECTORY (empty or new), for hosting on
    object storage: missions as Catalogs, datasets as Collections, granules as Items."""
    from server.stac.export import ExportError, export_stac

    moment = _moment(at)
    app = _app()
    try:
        summary = export_stac(
            store_of(app),
            directory,
            moment,
            str(app.config["BASE_URL"]),
            str(app.config["REPOSITORY_IDENTIFIER"]),
            force=force,
        )
    except (ExportError, StoreError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"wrote {directory / 'catalog.json'} at {format_time(moment)}: {summary.catalogs} catalogs, "
        f"{summary.collections} collections ({summary.restricted_collections} restricted), "
        f"{summary.items} items ({summary.restricted_items} restricted)"
    )


@main.group()
def harvest() -> None:
    """Harvest other OAI-PMH providers into the catalog (incrementally, resumably), and manage the sources."""


@harvest.command(name="add")
@click.argument("name")
@click.argument("url")
@click.option("--prefix", default="oai_datacite", show_default=True, help="oai_datacite, datacite or oai_dc.")
@click.option("--set", "sets", multiple=True, metavar="SPEC", help="Harvest only this set (repeatable).")
def harvest_add(name: str, url: str, prefix: str, sets: tuple[str, ...]) -> None:
    """Add the provider at URL (its OAI-PMH base URL) as the source NAME; its datasets get ids NAME.*"""
    from harvest.oai import add_source

    app = _app()
    _migrate(app)
    try:
        source = add_source(store_of(app), name, url, prefix=prefix, sets=sets, now=utcnow())
    except (ValueError, StoreError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"added {source.name}: {source.url} ({source.prefix}{_sets_said(source.sets)})")


def _sets_said(sets: tuple[str, ...]) -> str:
    return f"; sets {', '.join(sets)}" if sets else ""


@harvest.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source.")
def harvest_list(as_json: bool) -> None:
    """List the sources, where each stands and how its last run went."""
    app = _app()
    _migrate(app)
    store = store_of(app)
    for source in store.harvest_sources():
        runs = store.harvest_runs(source.name, limit=1)
        last = runs[0] if runs else None
        entry = {
            "name": source.name,
            "url": source.url,
            "prefix": source.prefix,
            "sets": list(source.sets),
            "harvested_from": None if source.harvested_from is None else format_time(source.harvested_from),
            "in_progress": source.checkpoint is not None,
            "last_run": None if last is None else dict(last.summary),
        }
        if as_json:
            click.echo(json.dumps(entry, ensure_ascii=False))
            continue
        state = "never run" if last is None else f"last run {last.status} at {format_time(last.finished)}"
        since = "" if source.harvested_from is None else f"; next run asks from {format_time(source.harvested_from)}"
        pending = "; a run is unfinished and will resume" if source.checkpoint is not None else ""
        click.echo(f"{source.name}\t{source.url} ({source.prefix}{_sets_said(source.sets)}): {state}{since}{pending}")


@harvest.command(name="remove")
@click.argument("name")
def harvest_remove(name: str) -> None:
    """Remove the source NAME; its datasets become tombstones (deleted records for OAI-PMH harvesters)."""
    from harvest.oai import remove_source

    app = _app()
    _migrate(app)
    try:
        count = remove_source(store_of(app), name, now=utcnow(), context=render_context_of(app))
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"removed {name}: {count} datasets withdrawn")


@harvest.command(name="run")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per source's run.")
def harvest_run(names: tuple[str, ...], as_json: bool) -> None:
    """Harvest what changed at the sources NAMES (all when none is named) since their last finished run.

    A run stopped part-way resumes where it stopped. A source that fails is reported and the others still run;
    the exit status is 1 if any failed.
    """
    from harvest.oai import Counts, Harvester

    app = _app()
    _migrate(app)
    terminal = sys.stderr.isatty()

    def progress(name: str, pages: int, counts: Counts, listed: int | None) -> None:
        if terminal:
            done = sum(counts.values())
            of = f" of {listed}" if listed else ""
            click.echo(f"\r{name}: page {pages}, {done} records{of}   ", err=True, nl=False)

    harvester = Harvester(
        store_of(app),
        context=render_context_of(app),
        clock=utcnow,
        render_workers=default_workers(),
        on_page=progress,
    )
    try:
        reports = harvester.run(names)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    if terminal:
        click.echo("", err=True)
    for report in reports:
        _report_run(report, as_json)
    if any(report.status != "ok" for report in reports):
        sys.exit(1)


def _report_run(report: "RunReport", as_json: bool) -> None:
    if as_json:
        rendered = report.renditions
        renditions = (
            None
            if rendered is None or report.render_seconds is None
            else {**asdict(rendered), "seconds": round(report.render_seconds, 3)}
        )
        summary = {**report.summary(), "seconds": round(report.seconds, 3), "renditions": renditions}
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    c = report.counts
    since = "everything" if report.from_ is None else f"changes from {format_time(report.from_)}"
    resumed = ", resumed" if report.resumed else ""
    click.echo(
        f"{report.source}: {report.status}{resumed}, {since}: {report.pages} pages in {report.seconds:.1f} s: "
        f"{c.added} added, {c.updated} updated, {c.unchanged} unchanged, {c.deleted} deleted, {c.failed} failed"
    )
    for problem in report.problems:
        click.echo(f"  failed: {problem}", err=True)
    if report.message is not None:
        click.echo(f"  {report.source}: {report.message}", err=True)
    if report.renditions is not None:
        _report_renditions(report.renditions)


if __name__ == "__main__":
    main()
