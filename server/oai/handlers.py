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

from catalog.sets import ACCESS_SETS, describe, is_valid_spec, static_sets
from catalog.store import Store, StoredDataset
from catalog.timeutil import from_epoch, to_epoch
from catalog.view import RelatedTarget, resolve_related, view_of
from catalog.vocab import Visibility
from crosswalks.formats import FORMATS, Format
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
    landing_base: str
    name: str
    identifier: str
    admin_email: str
    datacite_symbol: str
    page_size: int
    tokens: Tokens

    def oai_identifier(self, dataset_id: str) -> str:
        return f"oai:{self.identifier}:{dataset_id}"


@dataclass(frozen=True, slots=True)
class Answer:
    """A verb's checked answer: the elements of its body, produced as the response is written."""

    verb: str
    body: Iterable[etree._Element]


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
    page = repo.store.datasets_page(
        repo.now,
        visibilities=LISTED,
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
        after=(last.datestamp(repo.now), last.record.id) if last else None, query=query,
    )  # fmt: skip
    related = _related(page, repo)
    return Answer(request.verb, _items(page, related, fmt, repo, records, token))


def get_record(request: OAIRequest, repo: Repository) -> Answer:
    assert request.identifier is not None
    assert request.metadata_prefix is not None
    stored = _item(request.identifier, repo)
    fmt = _format(request.metadata_prefix)
    if not fmt.can_disseminate(stored.record):
        raise CannotDisseminateFormat(
            f"{request.identifier!r} cannot be disseminated as {fmt.prefix} (DataCite records need a DOI)"
        )
    related = _related([stored], repo)
    return Answer(request.verb, _items([stored], related, fmt, repo, True, []))


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
    """Answer a parsed request; every protocol error is raised here, before any byte of the body is written."""
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


def _related(page: Sequence[StoredDataset], repo: Repository) -> Mapping[str, Mapping[str, RelatedTarget]]:
    """Resolve the local related targets of a page's datasets, with one query for all of them."""
    wanted = sorted({r.target for s in page for r in s.record.related})
    known = {
        dataset_id: (stored.record, stored.timeline) for dataset_id, stored in repo.store.datasets_by_id(wanted).items()
    }
    return {
        s.record.id: resolve_related(s.record, known, repo.now, lambda dataset_id: repo.landing_base + dataset_id)
        for s in page
    }


def _items(
    page: Sequence[StoredDataset],
    related: Mapping[str, Mapping[str, RelatedTarget]],
    fmt: Format,
    repo: Repository,
    records: bool,
    trailer: Sequence[etree._Element],
) -> Iterator[etree._Element]:
    """Render the page's headers or records one by one (no store access here: the response is streaming)."""
    for stored in page:
        view = view_of(stored.record, stored.timeline, stored.changed, repo.now, related[stored.record.id])
        assert view is not None, "listed datasets are never hidden"
        header = render.Header(
            identifier=repo.oai_identifier(stored.record.id),
            datestamp=view.datestamp,
            set_specs=_set_specs(stored, view.visibility),
            deleted=view.visibility is Visibility.DELETED,
        )
        if not records:
            yield render.header(header)
            continue
        metadata = None if header.deleted else fmt.render(stored.record, view, repo.datacite_symbol)
        yield render.record(header, metadata)
    yield from trailer


def _set_specs(stored: StoredDataset, visibility: Visibility) -> tuple[str, ...]:
    dynamic = [spec for spec, wanted in ACCESS_SETS.items() if wanted is visibility]
    return tuple(sorted(static_sets(stored.record))) + tuple(dynamic)
