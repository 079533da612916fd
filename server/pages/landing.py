"""Dataset landing pages: HTML for people, JSON-LD and Signposting for machines, content negotiation like a DOI
resolver, tombstones for discarded data (issue 7).

Every answer is built from the dataset's `View` at the request's moment, so the policy is decided once: an
undisclosed dataset answers exactly like one that never existed (404), a withdrawn one answers 410 with its
tombstone, and no representation carries a download link unless the view shows data links.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from lxml import etree
from markupsafe import Markup
from werkzeug.exceptions import BadRequest, NotAcceptable, NotFound
from werkzeug.http import parse_options_header

from catalog.contract import is_local_reference
from catalog.policy import MANDATORY_CREDIT, MANDATORY_CREDIT_JA
from catalog.records import Agent, Dataset, LangMap, Mission
from catalog.view import View, resolve_related, view_of
from catalog.vocab import AccessRight, CreatorKind, Visibility
from crosswalks import citation, datacite, oai_record, schema_org, signposting, statements
from crosswalks.renditions import local_targets
from crosswalks.statements import doi_url
from crosswalks.urls import DatasetUrls
from server import now_of, store_of
from server.pages.language import page_language

bp = Blueprint("landing", __name__, template_folder="templates")

NOT_FOUND = "No dataset with this identifier is known to the catalog."
"""The one 404 description: an undisclosed dataset must read exactly like one that never existed."""

HTML = "text/html"
DATACITE_XML = "application/vnd.datacite.datacite+xml"
SCHEMAORG_JSONLD = "application/vnd.schemaorg.ld+json"
JSONLD = "application/ld+json"
CSL_JSON = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"
RIS = "application/x-research-info-systems"
BIBLIOGRAPHY = "text/x-bibliography"
LINKSET = "application/linkset+json"

OFFERED: tuple[str, ...] = (HTML, DATACITE_XML, SCHEMAORG_JSONLD, JSONLD, CSL_JSON, BIBTEX, RIS, BIBLIOGRAPHY)
"""What `/datasets/{id}` answers by content negotiation, in order of preference when the client ranks them equal:
HTML first, so `*/*` and browsers get the page."""

DEFAULT_STYLE = "apa"
DEFAULT_LOCALE = "en-US"
PAGE_LOCALES: Mapping[str, str] = MappingProxyType({"en": "en-US", "ja": "ja-JP"})
"""The citation locale a page uses by default in each page language."""

ORCID = "https://orcid.org/"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """A related resource as the page names it: the relation, a label, and where it resolves."""

    relation: str
    label: str
    href: str
    local: bool


@dataclass(frozen=True, slots=True)
class Shown:
    """A dataset the public may know of, as shown at the request's moment."""

    dataset: Dataset
    view: View
    urls: DatasetUrls
    mission: Mission | None
    related: tuple[RelatedLink, ...]

    @property
    def status(self) -> int:
        """200 for what the public may see, 410 for the tombstone of what it once saw."""
        return 410 if self.view.visibility is Visibility.DELETED else 200

    @property
    def offered(self) -> tuple[str, ...]:
        """The media types this dataset can be negotiated into: DataCite XML only with a DOI."""
        return tuple(t for t in OFFERED if t != DATACITE_XML or datacite.can_disseminate(self.dataset))


def urls_of(dataset_id: str) -> DatasetUrls:
    config = current_app.config
    return DatasetUrls.of(config["BASE_URL"], dataset_id, repository_identifier=config["REPOSITORY_IDENTIFIER"])


def shown(dataset_id: str) -> Shown:
    """Look a dataset up and judge it at the request's moment; raise the one 404 for unknown and undisclosed ids."""
    store = store_of(current_app)
    now = now_of(current_app)
    stored = store.dataset(dataset_id)
    if stored is None or stored.visibility(now) is Visibility.HIDDEN:
        raise NotFound(NOT_FOUND)
    dataset = stored.record
    local = local_targets(dataset)
    known = store.datasets_by_id(local) if local else {}
    targets = resolve_related(
        dataset,
        {i: (s.record, s.timeline) for i, s in known.items()},
        now,
        lambda target: urls_of(target).landing,
    )
    view = view_of(dataset, stored.timeline, stored.changed, now, targets)
    if view is None:
        raise NotFound(NOT_FOUND)
    mission = None
    if dataset.mission is not None:
        stored_mission = store.mission(dataset.mission)
        mission = stored_mission.record if stored_mission is not None else None
    language = _language()
    related: list[RelatedLink] = []
    for entry in dataset.related:
        if is_local_reference(entry.target):
            if entry.target not in view.related:
                continue
            target = known[entry.target].record
            related.append(
                RelatedLink(
                    entry.relation, statements.text_in(target.title, language), urls_of(target.id).landing, True
                )
            )
            continue
        href = _resolvable(entry.target)
        if statements.may_link(href, dataset, view):
            related.append(RelatedLink(entry.relation, entry.target, href, False))
    return Shown(dataset, view, urls_of(dataset.id), mission, tuple(related))


def _resolvable(target: str) -> str:
    """Where an external `related` target resolves: DOIs through doi.org, everything else as given."""
    return doi_url(target) if target.startswith("10.") or target.lower().startswith("doi:") else target


def _language() -> str:
    return page_language()


# Content negotiation


@dataclass(frozen=True, slots=True)
class Choice:
    """What negotiation chose: a media type this server offers, and the parameters the client gave with it."""

    media_type: str
    parameters: Mapping[str, str]


def _specificity(pattern: str, media_type: str) -> int | None:
    """How specifically an Accept range names a media type (2 exact, 1 `type/*`, 0 `*/*`), None if it does not."""
    kind, _, subtype = pattern.partition("/")
    offered_kind, _, _ = media_type.partition("/")
    if pattern == media_type:
        return 2
    if subtype == "*" and kind == offered_kind:
        return 1
    if pattern == "*/*":
        return 0
    return None


def negotiate(accept: Iterable[tuple[str, float]], offered: Sequence[str]) -> Choice | None:
    """Choose among `offered` by the client's Accept ranges and their q-values (RFC 9110 §12.5.1).

    Each offered type takes the quality of the most specific range that names it; the highest quality above zero
    wins, ties going to the earlier offered type. Media-type parameters (`style`, `locale`) of the range that
    named the type exactly are kept. No Accept header, or one without a single valid media range, means `*/*`
    (RFC 9110 lets a server ignore a header it cannot parse): such clients get the landing page.
    """
    ranges: list[tuple[str, Mapping[str, str], float]] = []
    for value, quality in accept:
        mimetype, parameters = parse_options_header(value)
        mimetype = mimetype.strip().lower()
        if mimetype.count("/") == 1:
            ranges.append((mimetype, parameters, quality))
    if not ranges:
        ranges = [("*/*", {}, 1.0)]
    best: Choice | None = None
    best_quality = 0.0
    for media_type in offered:
        named = [(s, q, p) for r, p, q in ranges if (s := _specificity(r, media_type)) is not None]
        if not named:
            continue
        specificity, quality, given = max(named, key=lambda n: (n[0], n[1]))
        if quality > best_quality:
            best_quality = quality
            best = Choice(media_type, given if specificity == 2 else {})
    return best


# Representations


def _json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _datacite_xml(page: Shown) -> bytes:
    if not datacite.can_disseminate(page.dataset):
        raise NotFound(
            f"Dataset {page.dataset.id!r} has no DOI, so it has no DataCite record. Its landing page, "
            f"JSON-LD ({page.urls.jsonld}) and citation formats are available."
        )
    resource = datacite.to_datacite(page.dataset, page.view)
    return etree.tostring(resource, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _jsonld(page: Shown) -> dict[str, Any]:
    return schema_org.to_jsonld(page.dataset, page.view, page.urls, mission=page.mission)


def _csl(page: Shown, language: str = "en") -> dict[str, Any]:
    return citation.to_csl(page.dataset, page.view, page.urls, language=language)


def _style_and_locale(parameters: Mapping[str, str], default_locale: str = DEFAULT_LOCALE) -> tuple[str, str]:
    """The citation style and locale: Accept parameters first, then `?style=` and `?locale=`, then APA, en-US."""
    style = parameters.get("style") or request.args.get("style") or DEFAULT_STYLE
    locale = parameters.get("locale") or request.args.get("locale") or default_locale
    return style, locale


def _bibliography(page: Shown, style: str, locale: str) -> str:
    """Format the citation; an unknown style or locale is the client's mistake (400), with the accepted values."""
    language = "ja" if locale.lower().startswith("ja") else "en"
    try:
        return citation.bibliography(_csl(page, language), style=style, locale=locale)
    except (citation.UnknownStyle, citation.UnknownLocale) as error:
        raise BadRequest(str(error)) from error


def _document(page: Shown, choice: Choice) -> Response:
    """Render one negotiated or addressed document of a dataset (not the HTML page)."""
    media_type = choice.media_type
    body: str | bytes
    if media_type == DATACITE_XML:
        body = _datacite_xml(page)
    elif media_type in (JSONLD, SCHEMAORG_JSONLD):
        body = _json(_jsonld(page))
    elif media_type == CSL_JSON:
        body = _json(_csl(page))
    elif media_type == BIBTEX:
        body = citation.to_bibtex(page.dataset, page.view, page.urls)
    elif media_type == RIS:
        body = citation.to_ris(page.dataset, page.view, page.urls)
    elif media_type == BIBLIOGRAPHY:
        style, locale = _style_and_locale(choice.parameters)
        body = _bibliography(page, style, locale) + "\n"
    elif media_type == LINKSET:
        body = _json(signposting.linkset(page.urls.landing, signposting.signposts(page.dataset, page.view, page.urls)))
    else:
        raise ValueError(f"no representation for {media_type}")
    response = Response(body, status=page.status)
    response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    return response


# Routes


@bp.after_request
def vary(response: Response) -> Response:
    """Every landing-page answer varies by Accept and Accept-Language (the page's language, the 406 list)."""
    if request.endpoint == "landing.landing":
        response.vary.update(("Accept", "Accept-Language"))
    return response


@bp.route("/datasets/<dataset_id>", methods=["GET"])
def landing(dataset_id: str) -> ResponseReturnValue:
    """The landing page, or the representation the client negotiates, with FAIR Signposting in `Link`."""
    page = shown(dataset_id)
    choice = negotiate(request.accept_mimetypes, page.offered)
    if choice is None:
        raise NotAcceptable(
            f"Dataset {dataset_id!r} is available as: {', '.join(page.offered)} "
            "(text/x-bibliography takes the parameters style and locale)."
        )
    if choice.media_type == HTML:
        response = _page(page)
    else:
        response = _document(page, choice)
        response.headers["Content-Location"] = _location(page, choice.media_type)
    response.headers["Link"] = signposting.link_header(signposting.signposts(page.dataset, page.view, page.urls))
    return response


def _location(page: Shown, media_type: str) -> str:
    """The URL of a negotiated document where it has one of its own, else the landing page."""
    addresses = {
        DATACITE_XML: page.urls.datacite,
        JSONLD: page.urls.jsonld,
        SCHEMAORG_JSONLD: page.urls.jsonld,
        CSL_JSON: page.urls.csl,
        BIBTEX: page.urls.bibtex,
        RIS: page.urls.ris,
    }
    return addresses.get(media_type, page.urls.landing)


def _addressed(media_type: str) -> Callable[[str], ResponseReturnValue]:
    def document(dataset_id: str) -> ResponseReturnValue:
        return _document(shown(dataset_id), Choice(media_type, {}))

    return document


DOCUMENTS: Mapping[str, str] = MappingProxyType(
    {
        "datacite.xml": DATACITE_XML,
        "schema.jsonld": JSONLD,
        "citation.json": CSL_JSON,
        "citation.bib": BIBTEX,
        "citation.ris": RIS,
        "linkset": LINKSET,
    }
)
"""The documents each dataset publishes at a URL of its own (`crosswalks.urls.DatasetUrls`), and their types."""

for _name, _media_type in DOCUMENTS.items():
    bp.add_url_rule(
        f"/datasets/<dataset_id>/{_name}",
        endpoint=f"document_{_name.replace('.', '_')}",
        view_func=_addressed(_media_type),
        methods=["GET"],
    )


# The HTML page


LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                "dataset": "Dataset",
                "withdrawn": "Withdrawn dataset",
                "creators": "Creators",
                "mission": "Mission",
                "instruments": "Instruments",
                "targets": "Targets",
                "keywords": "Keywords",
                "category": "Category",
                "level": "Processing level",
                "coverage": "Time coverage",
                "ongoing": "ongoing",
                "version": "Version",
                "doi": "DOI",
                "identifier": "Catalog identifier",
                "issued": "Published",
                "updated": "Metadata updated",
                "formats": "Formats",
                "access": "Access",
                "caveat": "Accuracy not guaranteed",
                "download": "Download",
                "no_links": "No download links are offered while the data is not public.",
                "reason": "Reason",
                "scope": "Who may use it meanwhile",
                "deadline": "Non-public until",
                "then": "After the deadline",
                "schedule": "Release schedule",
                "release": "Scheduled release",
                "released": "Public since",
                "withdrawal": "Withdrawn",
                "use": "How to use and cite",
                "license": "Licence",
                "no_license": datacite.NO_LICENSE_NAME,
                "terms": "Terms of use",
                "goj": "Government of Japan Standard Terms of Use (Version 2.0)",
                "credit": "Credit",
                "credit_ja": "Japanese form",
                "third_party": "Third-party restrictions",
                "modifications": "Modifications",
                "cite": "Cite as",
                "style": "Style",
                "locale": "Language",
                "format": "Show",
                "cite_downloads": "Download the citation",
                "metadata": "Metadata",
                "datacite": "DataCite XML",
                "jsonld": "schema.org JSON-LD",
                "oai": "OAI-PMH record (oai_datacite)",
                "stac": "STAC Collection",
                "linkset": "FAIR Signposting linkset",
                "harvested": "Harvested from",
                "original": "original record",
                "related": "Related",
                "restricted_terms": "These are the terms the data will be used under once it is public.",
            }
        ),
        "ja": MappingProxyType(
            {
                "dataset": "データセット",
                "withdrawn": "提供を終了したデータセット",
                "creators": "作成者",
                "mission": "ミッション",
                "instruments": "観測機器",
                "targets": "対象",
                "keywords": "キーワード",
                "category": "種別",
                "level": "処理レベル",
                "coverage": "期間",
                "ongoing": "継続中",
                "version": "バージョン",
                "doi": "DOI",
                "identifier": "カタログ識別子",
                "issued": "公開日",
                "updated": "メタデータ更新",
                "formats": "形式",
                "access": "利用条件",
                "caveat": "精度は保証されません",
                "download": "ダウンロード",
                "no_links": "非公開の間はダウンロードリンクを提供しません。",
                "reason": "理由",
                "scope": "利用範囲",
                "deadline": "非公開期限",
                "then": "期限後",
                "schedule": "公開予定",
                "release": "公開予定日",
                "released": "公開日",
                "withdrawal": "提供終了",
                "use": "利用と引用の方法",
                "license": "ライセンス",
                "no_license": "提供元はライセンスを示していません",
                "terms": "利用規約",
                "goj": "政府標準利用規約（第2.0版）",
                "credit": "クレジット",
                "credit_ja": "英語表記",
                "third_party": "第三者の権利による制限",
                "modifications": "加工した場合",
                "cite": "引用",
                "style": "スタイル",
                "locale": "言語",
                "format": "表示",
                "cite_downloads": "引用情報のダウンロード",
                "metadata": "メタデータ",
                "datacite": "DataCite XML",
                "jsonld": "schema.org JSON-LD",
                "oai": "OAI-PMH レコード (oai_datacite)",
                "stac": "STAC コレクション",
                "linkset": "FAIR Signposting リンクセット",
                "harvested": "収集元",
                "original": "元のレコード",
                "related": "関連",
                "restricted_terms": "公開後にデータを利用する際の条件です。",
            }
        ),
    }
)

ACCESS_LABELS: Mapping[str, Mapping[AccessRight, str]] = MappingProxyType(
    {
        "en": MappingProxyType(
            {
                AccessRight.OPEN: "Public: open access",
                AccessRight.EMBARGOED: "Not public yet: embargoed",
                AccessRight.RESTRICTED: "Not public: restricted",
                AccessRight.METADATA_ONLY: "Not public: metadata only",
            }
        ),
        "ja": MappingProxyType(
            {
                AccessRight.OPEN: "公開",
                AccessRight.EMBARGOED: "非公開（公開予定あり）",
                AccessRight.RESTRICTED: "非公開（利用制限）",
                AccessRight.METADATA_ONLY: "非公開（メタデータのみ）",
            }
        ),
    }
)


def _text(text: LangMap | None, language: str) -> str | None:
    return None if not text else statements.text_in(text, language)


def _script_json(document: Any) -> Markup:
    """JSON safe inside `<script>`: `<`, `>` and `&` escaped, so `</script>` in a title cannot end the element."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escape)
    return Markup(text)


@dataclass(frozen=True, slots=True)
class Creator:
    name: str
    name_ja: str | None
    orcid: str | None
    ror: str | None
    affiliation: str | None
    person: bool


def _creator(agent: Agent) -> Creator:
    orcid = agent.orcid
    if orcid and not orcid.startswith("http"):
        orcid = ORCID + orcid
    return Creator(agent.name, agent.name_ja, orcid, agent.ror, agent.affiliation, agent.kind is CreatorKind.PERSON)


def _citation_choice(language: str) -> tuple[str, str]:
    default_locale = PAGE_LOCALES[language] if PAGE_LOCALES[language] in citation.LOCALES else DEFAULT_LOCALE
    return _style_and_locale({}, default_locale)


def _page(page: Shown) -> Response:
    """Render the landing page (200), or the tombstone of a withdrawn dataset (410)."""
    language = _language()
    dataset, view = page.dataset, page.view
    style, locale = _citation_choice(language)
    formatted = _bibliography(page, style, locale)
    downloads = (
        [a for a in dataset.assets if statements.may_link(a.href, dataset, view)] if view.shows_data_links else []
    )
    restricted = view.visibility is Visibility.RESTRICTED
    deleted = view.visibility is Visibility.DELETED
    access = dataset.access
    stac = None if deleted else page.urls.stac
    origin = dataset.provenance
    html = render_template(
        "landing.html",
        page=page,
        dataset=dataset,
        origin=origin,
        origin_url=None if origin is None else oai_record.origin_url(origin),
        view=view,
        urls=page.urls,
        t=LABELS[language],
        access_label=ACCESS_LABELS[language][view.access_right],
        title=statements.text_in(dataset.title, language),
        other_titles=[(k, v) for k, v in dataset.title.items() if v != statements.text_in(dataset.title, language)],
        description=_text(dataset.description, language),
        creators=[_creator(agent) for agent in dataset.creators],
        mission_name=_text(page.mission.name, language) if page.mission else dataset.mission,
        mission_url=page.mission.url if page.mission else None,
        visibility=str(view.visibility),
        restricted=restricted,
        deleted=deleted,
        caveat=None if deleted else _text(access.caveat, language),
        restriction=_text(statements.restriction(dataset, view), language),
        reason=_text(statements.REASONS[access.reason], language) if restricted and access.reason else None,
        scope=access.scope if restricted else None,
        deadline=access.until.date().isoformat() if restricted and access.until else None,
        then=_text(statements.AFTER_DEADLINE[access.after], language) if restricted and access.until else None,
        schedule=_text(access.release_schedule, language) if restricted else None,
        rolling=_text(statements.rolling_proprietary(dataset), language) if not (restricted or deleted) else None,
        withdrawal=_text(statements.withdrawal(dataset, view), language),
        downloads=downloads,
        license_name=datacite.LICENSE_NAMES.get(dataset.rights.license, dataset.rights.license),
        license_url=statements.license_url(dataset.rights.license),
        goj_url=statements.GOJ_TERMS_URL,
        terms=_text(statements.TERMS_OF_USE, language),
        credit=_text(statements.credit_line(dataset), language),
        credit_other=MANDATORY_CREDIT_JA if language == "en" else MANDATORY_CREDIT,
        third_party=_text(dataset.rights.restrictions, language),
        modifications=_text(statements.MODIFICATION_DUTY, language),
        citation_text=formatted,
        style=style,
        locale=locale,
        styles=sorted(citation.STYLES),
        locales=sorted(citation.LOCALES),
        has_datacite=datacite.can_disseminate(dataset),
        stac_url=stac,
        jsonld=_script_json(_jsonld(page)),
        day=lambda moment: moment.date().isoformat() if moment is not None else None,
        query=lambda **arguments: "?" + urlencode(arguments),
    )
    return Response(html, status=page.status, mimetype=HTML)
