"""FAIR Signposting of a landing page: typed links as an HTTP `Link` header (RFC 8288) and a linkset (RFC 9264)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from catalog.records import Agent, Dataset
from catalog.view import View
from catalog.vocab import CreatorKind
from crosswalks.statements import cite_as, license_url, may_link
from crosswalks.urls import DatasetUrls

ORCID = "https://orcid.org/"
ROR = "https://ror.org/"

DATACITE_XML = "application/vnd.datacite.datacite+xml"
JSON_LD = "application/ld+json"
LINKSET_JSON = "application/linkset+json"
DATACITE_PROFILE = "http://datacite.org/schema/kernel-4"
SCHEMA_ORG_PROFILE = "https://schema.org"
ABOUT_PAGE = "https://schema.org/AboutPage"
DATASET = "https://schema.org/Dataset"

URI_SAFE = "!#$&'()*+,/:;=?@[]~-._%"
"""Characters a URI may hold as they are (RFC 3986); any other is percent-encoded in a `Link` header."""


@dataclass(frozen=True, slots=True)
class Link:
    """One typed link from the landing page: its target, relation, and the target's media type and profile."""

    href: str
    rel: str
    type: str | None = None
    profile: str | None = None


def signposts(dataset: Dataset, view: View, urls: DatasetUrls) -> list[Link]:
    """Return the FAIR Signposting (level 1) links of a dataset's landing page, as the public may see it now.

    `item` links (data) appear only while the view shows data links, and only those `may_link` allows. The
    DataCite record is linked only for a dataset with a DOI: DataCite metadata needs one.
    """
    links = [Link(cite_as(dataset, urls), "cite-as")]
    links += [Link(url, "author") for url in dict.fromkeys(_author_ids(dataset.creators))]
    if dataset.doi:
        links.append(Link(urls.datacite, "describedby", DATACITE_XML, DATACITE_PROFILE))
    links.append(Link(urls.jsonld, "describedby", JSON_LD, SCHEMA_ORG_PROFILE))
    links += [Link(ABOUT_PAGE, "type"), Link(DATASET, "type")]
    licence = license_url(dataset.rights.license)
    if licence is not None:
        links.append(Link(licence, "license"))
    if view.shows_data_links:
        links += [
            Link(asset.href, "item", asset.media_type)
            for asset in dataset.assets
            if may_link(asset.href, dataset, view)
        ]
    links.append(Link(urls.linkset, "linkset", LINKSET_JSON))
    return links


def _author_ids(creators: Sequence[Agent]) -> Iterator[str]:
    """The persistent identifiers of creators: a person's ORCID, an organisation's ROR id (a person's ROR id is
    that of the affiliation, not the author's)."""
    for agent in creators:
        if agent.kind is CreatorKind.PERSON and agent.orcid:
            yield agent.orcid if agent.orcid.startswith(ORCID) else ORCID + agent.orcid
        elif agent.kind is CreatorKind.ORGANIZATION and agent.ror:
            yield agent.ror if agent.ror.startswith(ROR) else ROR + agent.ror


def link_header(links: Sequence[Link]) -> str:
    """Serialise links as the value of one HTTP `Link` header field (RFC 8288 §3).

    Targets are percent-encoded where they hold a character a URI may not (a header is ASCII); parameter values
    are quoted strings with `"` and `\\` escaped.
    """
    return ", ".join(_link_value(link) for link in links)


def _link_value(link: Link) -> str:
    profile = None if link.profile is None else _uri(link.profile)
    parameters = [("rel", link.rel), ("type", link.type), ("profile", profile)]
    rendered = "".join(f"; {name}={_quoted(value)}" for name, value in parameters if value is not None)
    return f"<{_uri(link.href)}>{rendered}"


def _uri(value: str) -> str:
    return quote(value, safe=URI_SAFE)


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def linkset(anchor: str, links: Sequence[Link]) -> dict[str, Any]:
    """Return the links of one context as an `application/linkset+json` document (RFC 9264 §4.2).

    Relations keep the order they first appear in; `type` is a string (a target attribute of RFC 8288) and
    `profile`, an extension target attribute, an array of strings (§4.2.4.3). A `linkset` link, which points at
    this very document, is left out.
    """
    context: dict[str, Any] = {"anchor": anchor}
    for link in links:
        if link.rel == "linkset":
            continue
        target: dict[str, Any] = {"href": link.href}
        if link.type is not None:
            target["type"] = link.type
        if link.profile is not None:
            target["profile"] = [link.profile]
        context.setdefault(link.rel, []).append(target)
    return {"linkset": [context]}
