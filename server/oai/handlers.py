"""The six OAI-PMH verbs over the store: check and query eagerly, then hand back a body that renders lazily.

Items are datasets the public may see at the request's moment (public or restricted), and the tombstones of those
it once saw (deleted). Undisclosed datasets are absent everywhere: not as records, not as deleted headers, not in
counts, not in errors (an undisclosed identifier gets the same `idDoesNotExist` as one that never existed).
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from lxml import etree

from catalog.sets import describe, header_sets, is_valid_spec
from catalog.store import DatasetEntry, Store, StoredDataset
from catalog.timeutil import from_epoch, to_epoch
from catalog.view import resolve_targets, view_of
from catalog.vocab import Visibility
from crosswalks import renditions
from crosswalks.formats import FORMATS, Format
from crosswalks.oai_record import Header, header_fragment
from crosswalks.renditions import RenderContext
from server.oai import render
from server.oai.protocol import (
    BadArgument,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoMetadataFormats,
    NoRecordsMatch,
    OAIRequest,
    parse_identifier,
)
from server.oai.tokens import Resumption, Tokens

LISTED = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED, Visibility.DELETED})
"""What OAI-PMH lists: what the public may see, and the tombstones of what it once saw."""


@dataclass(frozen=True, slots=True)
class Repository:
    """What the verbs need of the server: the store, the request's moment, the configuration, the token signer."""

    store: Store
    now: datetime
    base_url: str
    context: RenderContext
    name: str
    identifier: str
    admin_email: str
    page_size: int
    tokens: Tokens

    def oai_identifier(self, dataset_id: str) -> str:
        return f"oai:{self.identifier}:{dataset_id}"


@dataclass(frozen=True, slots=True)
class Answer:
    """A verb's checked answer: the elements of its body, produced as the response is written."""

    verb: str
    body: Iterable[render.Item]


SHOWN = frozenset({Visibility.PUBLIC, Visibility.RESTRICTED})


def identify(request: OAIRequest, repo: Repository) -> Answer:
    earliest = repo.store.earliest_datestamp(repo.now, visibilities=LISTED) or repo.now
    first = repo.store.datasets_page(repo.now, visibilities=SHOWN, limit=1)
    sample = first[0].record.id if first else "dataset-id"
    element = render.identify(
        repository_name=repo.name,
        base_url=repo.base_url,
        admin_emails=[repo.admin_email],
        earliest_datestamp=earliest,
        repository_identifier=repo.identifier,
        sample_identifier=repo.oai_identifier(sample),
    )
    return Answer(request.verb, element)


def list_metadata_formats(request: OAIRequest, repo: Repository) -> Answer:
    formats: Sequence[Format] = list(FORMATS.values())
    if request.identifier is not None:
        stored = _item(request.identifier, repo)
        formats = [f for f in formats if f.can_disseminate(stored.record)]
        if not formats:
            raise NoMetadataFormats(f"no metadata format is available for {request.identifier!r}")
    return Answer(request.verb, [render.metadata_format(f.prefix, f.schema, f.namespace) for f in formats])


def list_sets(request: OAIRequest, repo: Repository) -> Answer:
    resumed = _resumed(request, repo)
    specs = repo.store.sets(repo.now)
    start = 0
    if resumed is not None and resumed.after is not None:
        start = next((i for i, spec in enumerate(specs) if spec > resumed.after[1]), len(specs))
    page = specs[start : start + repo.page_size]
    missions = {m.record.id: m.record for m in repo.store.missions()}
    elements: list[etree._Element] = []
    for spec in page:
        described = describe(spec, missions)
        if described is not None:
            elements.append(render.set_element(spec, described.name, dict(described.description)))
    more = start + len(page) < len(specs)
    token = _token(
        request.verb, repo, resumed, more, cursor=start, total=len(specs),
        after=(from_epoch(0), page[-1]) if page else None, query=None,
    )  # fmt: skip
    return Answer(request.verb, [*elements, *token])


@dataclass(frozen=True, slots=True)
class _Query:
    metadata_prefix: str
    set_spec: str | None
    from_: datetime | None
    until: datetime


def list_identifiers(request: OAIRequest, repo: Repository) -> Answer:
    return _list(request, repo, records=False)


def list_records(request: OAIRequest, repo: Repository) -> Answer:
    return _list(request, repo, records=True)


def _list(request: OAIRequest, repo: Repository, *, records: bool) -> Answer:
    resumed = _resumed(request, repo)
    if resumed is not None:
        assert resumed.metadata_prefix is not None
        query = _Query(resumed.metadata_prefix, resumed.set_spec, resumed.from_, resumed.until)
        cursor, after = resumed.cursor, resumed.after
    else:
        assert request.metadata_prefix is not None
        frozen = request.until if request.until is not None and request.until < repo.now else repo.now
        query = _Query(request.metadata_prefix, request.set_spec, request.from_, from_epoch(to_epoch(frozen)))
        cursor, after = 0, None
    fmt = _format(query.metadata_prefix)
    if query.set_spec is not None and not is_valid_spec(query.set_spec):
        raise BadArgument(f"argument 'set' is not a setSpec: {query.set_spec!r}")
    total = (
        resumed.complete_list_size
        if resumed is not None
        else repo.store.count_datasets(
            repo.now,
            visibilities=LISTED,
            since=query.from_,
            until=query.until,
            set_spec=query.set_spec,
            with_doi=fmt.needs_doi,
        )
    )
    page = repo.store.dataset_entries(
        repo.now,
        visibilities=LISTED,
        prefix=fmt.prefix if records else None,
        context=repo.context.key,
        after=after,
        since=query.from_,
        until=query.until,
        set_spec=query.set_spec,
        with_doi=fmt.needs_doi,
        limit=repo.page_size + 1,
    )
    if not page:
        if resumed is None:
            raise NoRecordsMatch("no record matches the arguments given")
        total = max(total, cursor)
    more = len(page) > repo.page_size
    page = page[: repo.page_size]
    last = page[-1] if page else None
    token = _token(
        request.verb, repo, resumed, more, cursor=cursor, total=max(total, cursor + len(page), 1),
        after=(from_epoch(last.stamp), last.id) if last else None, query=query,
    )  # fmt: skip
    if not records:
        return Answer(request.verb, [*(header_fragment(_header(entry, repo)) for entry in page), *token])
    fresh = _fresh(page, repo)
    stale = [entry.id for entry in page if entry.id not in fresh]
    live = repo.store.datasets_by_id(stale) if stale else {}
    return Answer(request.verb, _records(page, fresh, live, fmt, repo, token))


def get_record(request: OAIRequest, repo: Repository) -> Answer:
    assert request.identifier is not None
    assert request.metadata_prefix is not None
    stored = _item(request.identifier, repo)
    fmt = _format(request.metadata_prefix)
    if not fmt.can_disseminate(stored.record):
        raise CannotDisseminateFormat(
            f"{request.identifier!r} cannot be disseminated as {fmt.prefix} (DataCite records need a DOI)"
        )
    return Answer(request.verb, [_live(stored, fmt, repo)])


HANDLERS: Mapping[str, Callable[[OAIRequest, Repository], Answer]] = MappingProxyType(
    {
        "Identify": identify,
        "ListMetadataFormats": list_metadata_formats,
        "ListSets": list_sets,
        "ListIdentifiers": list_identifiers,
        "ListRecords": list_records,
        "GetRecord": get_record,
    }
)


def handle(request: OAIRequest, repo: Repository) -> Answer:
    """Answer a parsed request; every protocol error is raised here, before any byte of the body is written.
    What a verb reads here, it reads on one connection; what its body reads as it streams, on its own."""
    with repo.store.reading():
        return HANDLERS[request.verb](request, repo)


def _format(prefix: str) -> Format:
    fmt = FORMATS.get(prefix)
    if fmt is None:
        raise CannotDisseminateFormat(f"metadataPrefix {prefix!r} is not supported: use one of {', '.join(FORMATS)}")
    return fmt


def _item(identifier: str, repo: Repository) -> StoredDataset:
    """The dataset an OAI identifier names, if the public may know of it; else the same idDoesNotExist as ever."""
    dataset_id = parse_identifier(identifier, repo.identifier)
    stored = repo.store.dataset(dataset_id)
    if stored is None or stored.visibility(repo.now) not in LISTED:
        raise IdDoesNotExist.unknown(identifier)
    return stored


def _resumed(request: OAIRequest, repo: Repository) -> Resumption | None:
    token = request.resumption_token
    return None if token is None else repo.tokens.read(token, verb=request.verb)


def _token(
    verb: str,
    repo: Repository,
    resumed: Resumption | None,
    more: bool,
    *,
    cursor: int,
    total: int,
    after: tuple[datetime, str] | None,
    query: _Query | None,
) -> list[etree._Element]:
    """The resumptionToken element: a token for the next page, an empty one on the last page of a resumed list,
    none when everything fitted on the first page."""
    if not more:
        if resumed is None:
            return []
        return [render.resumption_token("", cursor=cursor, complete_list_size=total, expiration=None)]
    assert after is not None
    next_resumption = Resumption(
        verb=verb,
        metadata_prefix=query.metadata_prefix if query else None,
        set_spec=query.set_spec if query else None,
        from_=query.from_ if query else None,
        until=query.until if query else (resumed.until if resumed else repo.now),
        after=after,
        cursor=cursor + repo.page_size,
        complete_list_size=total,
    )
    token = repo.tokens.issue(next_resumption)
    expiration = repo.tokens.expiration(repo.now)
    return [render.resumption_token(token, cursor=cursor, complete_list_size=total, expiration=expiration)]


def _live(stored: StoredDataset, fmt: Format, repo: Repository) -> bytes:
    """Render a dataset's record at the request's moment, its local related datasets resolved (one query)."""
    dataset = stored.record
    local = renditions.local_targets(dataset)
    targets = repo.store.related_targets(local) if local else {}
    related = resolve_targets(local, targets, repo.now, repo.context.landing_url)
    view = view_of(dataset, stored.timeline, stored.changed, repo.now, related)
    assert view is not None, "listed datasets are never hidden"
    return renditions.render(fmt, dataset, view, repo.context)


def _header(entry: DatasetEntry, repo: Repository) -> Header:
    visibility = entry.visibility(repo.now)
    return Header(
        identifier=repo.oai_identifier(entry.id),
        datestamp=from_epoch(entry.stamp),
        set_specs=header_sets(entry.sets, visibility),
        deleted=visibility is Visibility.DELETED,
    )


def _fresh(page: Sequence[DatasetEntry], repo: Repository) -> set[str]:
    """The ids of the page's entries whose rendition holds: the store checked the version, the context and the
    moment; what is left is whether their related datasets resolve as they did (one query for all of them)."""
    keys = {entry.id: entry.rendition.related for entry in page if entry.rendition is not None}
    wanted = sorted({target for key in keys.values() if key is not None for target in renditions.related_ids(key)})
    targets = repo.store.related_targets(wanted) if wanted else {}
    return {
        dataset_id
        for dataset_id, key in keys.items()
        if key is None or renditions.related_key_at(key, targets, repo.now, repo.context) == key
    }


def _records(
    page: Sequence[DatasetEntry],
    fresh: set[str],
    live: Mapping[str, StoredDataset],
    fmt: Format,
    repo: Repository,
    trailer: Sequence[etree._Element],
) -> Iterator[render.Item]:
    """Write the page's records one by one, from their renditions where they hold, else rendered live from `live`
    (a dataset gone from the store since the page was read is left out).

    The live path reads the store (related datasets) for the few records without a rendition that holds; it runs
    while the response streams, so it uses the store directly, never request-scoped state.
    """
    for entry in page:
        if entry.id in fresh and entry.rendition is not None:
            yield entry.rendition.body
        elif (stored := live.get(entry.id)) is not None:
            yield _live(stored, fmt, repo)
    yield from trailer
