"""Metadata serialised ahead of requests: every format of a dataset, for each stretch of time in which what the
public may see of it holds still, so that a list page is written from stored bytes instead of rendered anew.

A rendition is a cache, never trusted blindly. A reader uses its bytes only when they were rendered from the
version of the dataset the store holds (its digest and `changed`, which fix its timeline), by this code with this
configuration (`RenderContext.key`), for the stretch of time that holds the request's moment (all three checked by
the store's query), and with the same resolution of its related datasets as now (`related_key`); otherwise it
renders live, and the response is the same byte for byte (`render` is the one way both paths make a record).
"""

import ast
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree

from catalog.contract import is_local_reference
from catalog.policy import Timeline, release_moment
from catalog.records import Dataset
from catalog.sets import header_sets, static_sets
from catalog.store import Rendition
from catalog.timeutil import from_epoch, to_epoch
from catalog.view import RelatedTarget, View, resolve_targets, view_of
from catalog.vocab import Visibility
from crosswalks.formats import FORMATS, Format
from crosswalks.oai_record import Header, provenance, record_fragment

RENDERED = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.DELETED})
"""The visibilities OAI-PMH lists: records with metadata, and deleted records (a header only). Hidden ones are
absent."""

_PACKAGES = ("catalog", "crosswalks")
_STORAGE = "catalog.store"
"""Imported for the `Rendition` type only: storage decides no byte of a rendition."""


def code_files() -> list[Path]:
    """The source files of the code that renders metadata: this module, the formats' modules, and every module of
    ours they import, found by reading their imports (so that a module added later is covered, and one that renders
    nothing here, a landing page's citation say, does not make every rendition stale)."""
    root = Path(__file__).resolve().parent.parent
    pending = [Path(__file__).resolve(), root / "crosswalks" / "formats.py"]
    seen: set[Path] = set()
    while pending:
        path = pending.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            for name in names:
                if name.split(".")[0] in _PACKAGES and not name.startswith(_STORAGE):
                    module = root.joinpath(*name.split("."))
                    pending += [module.with_suffix(".py"), module / "__init__.py"]
    return sorted(seen)


def _code_fingerprint() -> str:
    """Hash the code that renders metadata, so that a new release never serves an old one's bytes."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(digest_size=16)
    for path in code_files():
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


CODE = _code_fingerprint()


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What a rendition depends on besides the dataset: the configuration, and (in `key`) the code."""

    repository_identifier: str
    """The namespace of OAI identifiers (`oai:{repository_identifier}:{dataset id}`)."""
    datacite_symbol: str
    landing_base: str
    """The landing pages' URL prefix: `{BASE_URL}/datasets/` (related datasets without a DOI resolve there)."""
    key: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.blake2b(digest_size=16)
        for part in (CODE, self.repository_identifier, self.datacite_symbol, self.landing_base):
            digest.update(part.encode())
            digest.update(b"\0")
        object.__setattr__(self, "key", digest.hexdigest())

    def landing_url(self, dataset_id: str) -> str:
        return self.landing_base + dataset_id

    def oai_identifier(self, dataset_id: str) -> str:
        return f"oai:{self.repository_identifier}:{dataset_id}"


def stretches(dataset: Dataset, timeline: Timeline, changed: datetime) -> list[tuple[int, int | None, datetime]]:
    """Return the stretches `[since, until)` (epoch seconds, `until` None: for good) in which the dataset's public
    view holds still and OAI-PMH lists it, each with a moment inside it to render at.

    The view changes only where the timeline shifts and where the restriction's release passes (the `Available`
    date); the first stretch starts at 0, before any request.
    """
    bounds = {math.ceil(moment.timestamp()) for moment, _ in timeline.shifts}
    released = release_moment(dataset.access)
    if released is not None:
        bounds.add(math.ceil(released.timestamp()))
    edges = [0, *sorted(bound for bound in bounds if bound > 0)]
    found: list[tuple[int, int | None, datetime]] = []
    for index, since in enumerate(edges):
        until = edges[index + 1] if index + 1 < len(edges) else None
        inside = from_epoch(until - 1) if until is not None else changed
        at = from_epoch(since) if index > 0 else inside
        if timeline.at(at) in RENDERED:
            found.append((since, until, at))
    return found


def local_targets(dataset: Dataset) -> list[str]:
    """The ids of this catalog's datasets that a dataset names as related, in code point order."""
    return sorted({related.target for related in dataset.related if is_local_reference(related.target)})


def related_key(targets: Sequence[str], resolved: Mapping[str, RelatedTarget]) -> str | None:
    """Name how local related datasets resolve (`-` for one not to be named); None when there is none."""
    if not targets:
        return None
    lines = []
    for target in targets:
        found = resolved.get(target)
        lines.append(f"{target}\t{'-' if found is None else f'{found.identifier_type}:{found.identifier}'}")
    return "\n".join(lines)


def related_ids(key: str) -> list[str]:
    """The local related dataset ids a `related_key` names."""
    return [line.split("\t", 1)[0] for line in key.split("\n")]


def related_key_at(
    key: str, targets: Mapping[str, tuple[str | None, Timeline]], at: datetime, context: RenderContext
) -> str | None:
    """Name how the related datasets of a `related_key` resolve at `at` (equal to `key` when nothing changed)."""
    ids = related_ids(key)
    return related_key(ids, resolve_targets(ids, targets, at, context.landing_url))


def serialize(element: etree._Element) -> bytes:
    """Serialise a format's root element on its own (its namespaces declared on it), as a response embeds it."""
    return etree.tostring(element, encoding="UTF-8", xml_declaration=False)


def header(dataset: Dataset, view: View, context: RenderContext) -> Header:
    """The OAI-PMH header of a dataset's view."""
    return Header(
        identifier=context.oai_identifier(dataset.id),
        datestamp=view.datestamp,
        set_specs=header_sets(static_sets(dataset), view.visibility),
        deleted=view.visibility is Visibility.DELETED,
    )


def render(fmt: Format, dataset: Dataset, view: View, context: RenderContext) -> bytes:
    """Render a dataset's view as its OAI-PMH `record` in one format (the live path, and what a rendition stores)."""
    h = header(dataset, view, context)
    if h.deleted:
        return record_fragment(h, None)
    metadata = serialize(fmt.render(dataset, view, context.datacite_symbol))
    about = None if dataset.provenance is None else serialize(provenance(dataset.provenance))
    return record_fragment(h, metadata, about)


def renditions_of(
    dataset: Dataset,
    digest: str,
    changed: datetime,
    timeline: Timeline,
    targets: Mapping[str, tuple[str | None, Timeline]],
    context: RenderContext,
) -> list[Rendition]:
    """Render every format a dataset can be disseminated in, for every stretch in which OAI-PMH lists it.

    `targets` holds the DOI and timeline of the dataset's local related datasets (`Store.related_targets`).
    """
    local = local_targets(dataset)
    made: list[Rendition] = []
    for since, until, at in stretches(dataset, timeline, changed):
        resolved = resolve_targets(local, targets, at, context.landing_url)
        view = view_of(dataset, timeline, changed, at, resolved)
        assert view is not None, "a stretch is one in which the dataset is listed"
        related = None if view.visibility is Visibility.DELETED else related_key(local, resolved)
        for fmt in FORMATS.values():
            if fmt.can_disseminate(dataset):
                body = render(fmt, dataset, view, context)
                made.append(Rendition(fmt.prefix, since, until, digest, to_epoch(changed), context.key, related, body))
    return made
