"""Finding datasets: the search and browse page with facets, `sitemap.xml` and `robots.txt` (issue 7)."""

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.exceptions import NotFound

from catalog.records import LangMap
from catalog.sets import CATEGORY_WORDS
from catalog.store import DatasetSearch, ListedDataset, Store, StoredDataset
from catalog.timeutil import format_time, parse_time
from catalog.vocab import Category, Visibility
from crosswalks.urls import DatasetUrls
from server import now_of, store_of
from server.pages import Endpoint, wants_json
from server.pages.language import page_language

bp = Blueprint("finding", __name__, template_folder="templates")

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_TEXT = 500
"""Characters of free text a search takes; more is a bad request, not a slow one."""
MAX_TERMS = 20
SITEMAP_LIMIT = 50_000
"""URLs per sitemap (sitemaps.org's limit): above it `/sitemap.xml` is an index of `/sitemap-{n}.xml` pages."""
SITEMAP_BATCH = 1000
"""Datasets read from the store per query while a sitemap streams: memory does not grow with the catalog."""
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
TOKEN_SALT = "datasets-after"
ACCESS_VALUES = {"public": Visibility.PUBLIC, "restricted": Visibility.RESTRICTED}
PARAMETERS = ("q", "mission", "category", "access", "from", "to", "limit", "after")
"""The search's query parameters; `lang` and `f` choose the language and the format, others are ignored."""

ACCESS_WORDS: Mapping[str, tuple[str, str]] = {
    "public": ("Public", "公開"),
    "restricted": ("Restricted (existence disclosed)", "非公開（存在を開示）"),
}
WORDS: Mapping[str, tuple[str, str]] = {
    "search": ("Search datasets", "データセットの検索"),
    "text": ("Words", "キーワード"),
    "mission": ("Mission", "ミッション"),
    "category": ("Category", "種別"),
    "access": ("Access", "公開状況"),
    "from": ("From", "開始日"),
    "to": ("To", "終了日"),
    "any": ("Any", "すべて"),
    "submit": ("Search", "検索"),
    "found": ("{total} datasets found", "{total} 件のデータセット"),
    "none": ("No dataset matches this search.", "この条件に合うデータセットはありません。"),
    "next": ("Next page", "次のページ"),
    "first": ("First page", "最初のページ"),
    "refine": ("Refine", "絞り込み"),
    "clear": ("Clear all filters", "条件をすべて解除"),
    "remove": ("remove", "解除"),
    "coverage": ("Coverage", "観測期間"),
    "ongoing": ("ongoing", "継続中"),
    "until": ("until {date}", "{date} まで"),
    "error": ("This search cannot be run", "この条件では検索できません"),
}


class BadParameterError(ValueError):
    """A query parameter that cannot be used; the message names it and says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Query:
    """A search as the page's query parameters give it, checked."""

    text: str | None = None
    mission: str | None = None
    category: Category | None = None
    access: str | None = None
    start: date | None = None
    end: date | None = None
    limit: int = PAGE_SIZE
    after: str | None = None

    def arguments(self) -> dict[str, str]:
        """The parameters that state this search (not its page), as a URL would carry them."""
        pairs = {
            "q": self.text,
            "mission": self.mission,
            "category": None if self.category is None else str(self.category),
            "access": self.access,
            "from": None if self.start is None else self.start.isoformat(),
            "to": None if self.end is None else self.end.isoformat(),
            "limit": None if self.limit == PAGE_SIZE else str(self.limit),
        }
        return {name: value for name, value in pairs.items() if value is not None}

    def start_moment(self) -> datetime | None:
        return None if self.start is None else datetime.combine(self.start, time.min, UTC)

    def end_moment(self) -> datetime | None:
        """The end of the `to` day: a coverage that starts on that day overlaps."""
        return None if self.end is None else datetime.combine(self.end, time(23, 59, 59), UTC)


def _usable(name: str, value: str) -> str:
    if any(ord(character) < 0x20 and character not in "\t\n\r" for character in value):
        raise BadParameterError(name, "contains control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadParameterError(name, "is not valid Unicode text") from error
    return value


def _day(name: str, value: str) -> date:
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return parse_time(value).date()
    except (ValueError, OverflowError) as error:
        raise BadParameterError(name, f"{value!r} is not a date: use YYYY-MM-DD") from error


def parse_query(arguments: Mapping[str, Sequence[str]], after_of: "TokenReader") -> Query:
    """Check a search's query parameters; raise `BadParameterError` naming the first unusable one.

    Empty values count as absent (an HTML form sends every field); each parameter may be given once.
    """
    given: dict[str, str] = {}
    for name in PARAMETERS:
        values = [v for v in arguments.get(name, ()) if v.strip()]
        if len(values) > 1:
            raise BadParameterError(name, "given more than once; give it once")
        if values:
            given[name] = _usable(name, values[0].strip())
    query = Query()
    if "q" in given:
        text = given["q"]
        if len(text) > MAX_TEXT:
            raise BadParameterError("q", f"longer than {MAX_TEXT} characters")
        if len(text.split()) > MAX_TERMS:
            raise BadParameterError("q", f"more than {MAX_TERMS} words")
        query = replace(query, text=" ".join(text.split()))
    if "mission" in given:
        if len(given["mission"]) > 64:
            raise BadParameterError("mission", "not a mission id (longer than 64 characters)")
        query = replace(query, mission=given["mission"])
    if "category" in given:
        try:
            query = replace(query, category=Category(given["category"]))
        except ValueError as error:
            known = ", ".join(str(c) for c in Category)
            raise BadParameterError(
                "category", f"unknown category {given['category']!r}; use one of {known}"
            ) from error
    if "access" in given:
        if given["access"] not in ACCESS_VALUES:
            raise BadParameterError("access", f"unknown access {given['access']!r}; use public or restricted")
        query = replace(query, access=given["access"])
    if "from" in given:
        query = replace(query, start=_day("from", given["from"]))
    if "to" in given:
        query = replace(query, end=_day("to", given["to"]))
    if query.start is not None and query.end is not None and query.start > query.end:
        raise BadParameterError("from", f"{query.start} is after to ({query.end})")
    if "limit" in given:
        limit = given["limit"]
        if not (limit.isascii() and limit.isdigit() and len(limit) <= 3) or not 1 <= int(limit) <= MAX_PAGE_SIZE:
            raise BadParameterError("limit", f"{limit!r} is not a whole number from 1 to {MAX_PAGE_SIZE}")
        query = replace(query, limit=int(limit))
    if "after" in given:
        query = replace(query, after=after_of(given["after"]))
    return query


class TokenReader:
    """Sign and read the keyset position of the next page, so that a page link cannot be forged or garbled."""

    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeSerializer(secret, salt=TOKEN_SALT)

    def dump(self, after: str) -> str:
        return str(self.serializer.dumps(after))

    def __call__(self, token: str) -> str:
        try:
            after = self.serializer.loads(token)
        except (BadSignature, UnicodeError, ValueError) as error:
            raise BadParameterError(
                "after", "not a page token of this server; start again from the first page"
            ) from error
        if not isinstance(after, str):
            raise BadParameterError("after", "not a page token of this server; start again from the first page")
        return after


def in_language(value: LangMap | None, language: str) -> str:
    """Pick the text in `language`, else English, else undetermined, else any."""
    if not value:
        return ""
    for key in (language, "en", "und"):
        if key in value:
            return value[key]
    return next(iter(value.values()))


def _words(key: str, language: str) -> str:
    english, japanese = WORDS[key]
    return japanese if language == "ja" else english


def _label(facet: str, value: str, language: str, mission_names: Mapping[str, LangMap]) -> str:
    if facet == "mission":
        return in_language(mission_names.get(value), language) or value
    if facet == "category":
        english, japanese = CATEGORY_WORDS[Category(value)]
        return japanese if language == "ja" else english
    english, japanese = ACCESS_WORDS[value]
    return japanese if language == "ja" else english


def _url(path: str, arguments: Mapping[str, str]) -> str:
    base: str = current_app.config["BASE_URL"]
    return f"{base}{path}?{urlencode(arguments)}" if arguments else f"{base}{path}"


def _day_of(moment: datetime | None) -> str | None:
    return None if moment is None else moment.date().isoformat()


def _result(
    stored: StoredDataset, now: datetime, language: str, mission_names: Mapping[str, LangMap]
) -> dict[str, Any]:
    record = stored.record
    base: str = current_app.config["BASE_URL"]
    urls = DatasetUrls.of(base, record.id, repository_identifier=current_app.config["REPOSITORY_IDENTIFIER"])
    access = str(stored.visibility(now))
    until = record.access.until if access == "restricted" else None
    return {
        "id": record.id,
        "title": in_language(record.title, language),
        "url": urls.landing,
        "access": access,
        "access_label": _label("access", access, language, mission_names),
        "until": _day_of(until),
        "mission": record.mission,
        "mission_label": None if record.mission is None else _label("mission", record.mission, language, mission_names),
        "category": str(record.category),
        "category_label": _label("category", str(record.category), language, mission_names),
        "temporal": None
        if record.temporal is None
        else {"start": _day_of(record.temporal.start), "end": _day_of(record.temporal.end)},
        "doi": record.doi,
    }


def _facets(
    found: DatasetSearch, query: Query, language: str, mission_names: Mapping[str, LangMap]
) -> dict[str, list[dict[str, Any]]]:
    """Each facet's values with their counts, and the link that refines the search to that value."""
    arguments = query.arguments()
    facets: dict[str, list[dict[str, Any]]] = {}
    for facet, counts in found.facets.items():
        facets[facet] = [
            {
                "value": value,
                "label": _label(facet, value, language, mission_names),
                "count": count,
                "selected": arguments.get(facet) == value,
                "href": _url("/datasets", {**arguments, facet: value, **_kept_arguments()}),
            }
            for value, count in counts.items()
        ]
    return facets


def _kept_arguments() -> dict[str, str]:
    """Keep an explicit language (`?lang=`) and format (`?f=`) in the links a page makes."""
    kept = {}
    if request.args.get("lang") in ("en", "ja"):
        kept["lang"] = request.args["lang"]
    if request.args.get("f") in ("json", "html"):
        kept["f"] = request.args["f"]
    return kept


def _bad_request(error: BadParameterError, language: str, store: Store) -> ResponseReturnValue:
    if wants_json():
        return jsonify(code="BadRequest", parameter=error.name, description=str(error)), 400
    return (
        render_template(
            "finding.html",
            words=lambda key: _words(key, language),
            form=_form_values(),
            missions=_mission_choices(_mission_names(store), language),
            categories=_category_choices(language),
            accesses=_access_choices(language),
            error=str(error),
            found=None,
        ),
        400,
    )


def _form_values() -> dict[str, str]:
    """What the user typed, to show it again in the form."""
    return {name: request.args.get(name, "") for name in ("q", "mission", "category", "access", "from", "to")}


def _mission_names(store: Store) -> dict[str, LangMap]:
    return {stored.record.id: stored.record.name for stored in store.missions()}


def _mission_choices(mission_names: Mapping[str, LangMap], language: str) -> list[tuple[str, str]]:
    choices = [(key, in_language(name, language) or key) for key, name in mission_names.items()]
    return sorted(choices, key=lambda choice: choice[1].casefold())


def _category_choices(language: str) -> list[tuple[str, str]]:
    return [(str(c), CATEGORY_WORDS[c][1 if language == "ja" else 0]) for c in Category]


def _access_choices(language: str) -> list[tuple[str, str]]:
    return [(value, words[1 if language == "ja" else 0]) for value, words in ACCESS_WORDS.items()]


@bp.get("/datasets")
def search_page() -> ResponseReturnValue:
    """Search and browse the datasets the public may find now: HTML, or JSON with `?f=json`."""
    language = page_language()
    store = store_of(current_app)
    tokens = TokenReader(current_app.config["SECRET_KEY"])
    try:
        query = parse_query(request.args.to_dict(flat=False), tokens)
    except BadParameterError as error:
        return _bad_request(error, language, store)
    now = now_of(current_app)
    found = store.search_datasets(
        now,
        text=query.text,
        mission=query.mission,
        category=query.category,
        access=None if query.access is None else ACCESS_VALUES[query.access],
        start=query.start_moment(),
        end=query.end_moment(),
        after=query.after,
        limit=query.limit,
    )
    mission_names = _mission_names(store)
    arguments = query.arguments()
    links = {
        "self": _url("/datasets", {**arguments, **_kept_arguments()}),
        "first": _url("/datasets", {**arguments, **_kept_arguments()}),
        "next": None
        if found.after is None
        else _url("/datasets", {**arguments, "after": tokens.dump(found.after), **_kept_arguments()}),
    }
    results = [_result(stored, now, language, mission_names) for stored in found.datasets]
    facets = _facets(found, query, language, mission_names)
    if wants_json():
        response = jsonify(
            query=arguments, total=found.total, datasets=results, facets=facets, links=links, language=language
        )
    else:
        response = Response(
            render_template(
                "finding.html",
                words=lambda key: _words(key, language),
                form=_form_values(),
                missions=_mission_choices(mission_names, language),
                categories=_category_choices(language),
                accesses=_access_choices(language),
                error=None,
                found=found,
                results=results,
                facets=facets,
                links=links,
                paged=query.after is not None,
                filtered=bool(set(arguments) - {"limit"}),
                removals=_removals(query, language, mission_names),
                clear=_url("/datasets", _kept_arguments()),
            ),
            mimetype="text/html",
        )
    response.vary.update(("Accept", "Accept-Language"))
    return response


def _removals(query: Query, language: str, mission_names: Mapping[str, LangMap]) -> list[tuple[str, str]]:
    """The active filters, each with the link that drops it."""
    arguments = query.arguments()
    shown = []
    for name, value in arguments.items():
        if name == "limit":
            continue
        label = _label(name, value, language, mission_names) if name in ("mission", "category", "access") else value
        rest = {**{k: v for k, v in arguments.items() if k != name}, **_kept_arguments()}
        shown.append((f"{_words('text' if name == 'q' else name, language)}: {label}", _url("/datasets", rest)))
    return shown


def _listed(store: Store, now: datetime, first: list[ListedDataset], most: int) -> Iterator[ListedDataset]:
    """Stream findable datasets from an eagerly read first batch on, a keyset batch at a time, `most` at most."""
    batch, left = first, most
    while batch and left > 0:
        yield from batch[:left]
        left -= len(batch)
        if len(batch) < SITEMAP_BATCH or left <= 0:
            return
        batch = store.listed_datasets(now, after=batch[-1].id, limit=min(SITEMAP_BATCH, left))


def _urlset(entries: Iterator[ListedDataset], base: str, repository: str) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    for entry in entries:
        landing = DatasetUrls.of(base, entry.id, repository_identifier=repository).landing
        yield f"<url><loc>{escape(landing)}</loc><lastmod>{format_time(entry.datestamp)}</lastmod></url>\n"
    yield "</urlset>\n"


def _sitemap_index(base: str, pages: int) -> Iterator[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n'
    for number in range(1, pages + 1):
        yield f"<sitemap><loc>{escape(base)}/sitemap-{number}.xml</loc></sitemap>\n"
    yield "</sitemapindex>\n"


def _findable_count(store: Store, now: datetime) -> int:
    counts = store.stats(now, granules=False).datasets
    return counts[str(Visibility.PUBLIC)] + counts[str(Visibility.RESTRICTED)]


def _xml(body: Iterator[str]) -> Response:
    return Response((part.encode() for part in body), mimetype="application/xml")


@bp.get("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    """The landing pages of the datasets the public may find now, with their datestamps; an index when many."""
    store = store_of(current_app)
    now = now_of(current_app)
    base: str = current_app.config["BASE_URL"]
    count = _findable_count(store, now)
    if count > SITEMAP_LIMIT:
        return _xml(_sitemap_index(base, math.ceil(count / SITEMAP_LIMIT)))
    first = store.listed_datasets(now, limit=min(SITEMAP_BATCH, SITEMAP_LIMIT))
    entries = _listed(store, now, first, SITEMAP_LIMIT)
    return _xml(_urlset(entries, base, current_app.config["REPOSITORY_IDENTIFIER"]))


@bp.get("/sitemap-<int:number>.xml")
def sitemap_page(number: int) -> ResponseReturnValue:
    """Page `number` of a sitemap index: the next `SITEMAP_LIMIT` datasets in id order."""
    store = store_of(current_app)
    now = now_of(current_app)
    count = _findable_count(store, now)
    if count <= SITEMAP_LIMIT or not 1 <= number <= math.ceil(count / SITEMAP_LIMIT):
        raise NotFound(f"there is no sitemap page {number}; see /sitemap.xml")
    after = store.listed_start(now, (number - 1) * SITEMAP_LIMIT)
    first = store.listed_datasets(now, after=after, limit=min(SITEMAP_BATCH, SITEMAP_LIMIT))
    entries = _listed(store, now, first, SITEMAP_LIMIT)
    return _xml(_urlset(entries, current_app.config["BASE_URL"], current_app.config["REPOSITORY_IDENTIFIER"]))


@bp.get("/robots.txt")
def robots() -> ResponseReturnValue:
    """Let every crawler read everything public, and point it at the sitemap."""
    base: str = current_app.config["BASE_URL"]
    return Response(f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n", mimetype="text/plain")


def init_app(app: Flask) -> None:
    app.extensions.setdefault("catalog.endpoints", []).extend(
        [
            Endpoint(
                "Datasets",
                "/datasets",
                "Search and browse the datasets: words, mission, category, access, time; JSON with ?f=json.",
            ),
            Endpoint("Sitemap", "/sitemap.xml", "The landing page of every dataset, for search engines."),
        ]
    )
    app.register_blueprint(bp)
