"""Where a dataset's pages and metadata documents live: one place that every crosswalk and page builds links from."""

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class DatasetUrls:
    """The URLs of one dataset's landing page and of the documents the server publishes about it."""

    catalog: str
    """The server's public base URL (`CATALOG_BASE_URL`): the data catalog the dataset is included in."""
    landing: str
    """The landing page, `{catalog}/datasets/{id}`; it also answers content negotiation like a DOI resolver."""
    datacite: str
    """The bare DataCite 4.7 XML (`application/vnd.datacite.datacite+xml`)."""
    jsonld: str
    """The schema.org `Dataset` as JSON-LD (`application/ld+json`)."""
    csl: str
    """The citation as CSL-JSON (`application/vnd.citationstyles.csl+json`)."""
    bibtex: str
    """The citation as BibTeX (`application/x-bibtex`)."""
    ris: str
    """The citation as RIS (`application/x-research-info-systems`)."""
    linkset: str
    """The FAIR Signposting linkset (`application/linkset+json`, RFC 9264)."""
    oai_datacite: str
    """The OAI-PMH GetRecord of the dataset in `oai_datacite`."""
    stac: str
    """The dataset as a STAC Collection (`server/stac`)."""

    @classmethod
    def of(cls, base_url: str, dataset_id: str, *, repository_identifier: str) -> "DatasetUrls":
        """Build the URLs of a dataset under the server's base URL (no trailing slash)."""
        catalog = base_url.rstrip("/")
        landing = f"{catalog}/datasets/{quote(dataset_id, safe='')}"
        oai_identifier = quote(f"oai:{repository_identifier}:{dataset_id}", safe="")
        return cls(
            catalog=catalog,
            landing=landing,
            datacite=f"{landing}/datacite.xml",
            jsonld=f"{landing}/schema.jsonld",
            csl=f"{landing}/citation.json",
            bibtex=f"{landing}/citation.bib",
            ris=f"{landing}/citation.ris",
            linkset=f"{landing}/linkset",
            oai_datacite=f"{catalog}/oai?verb=GetRecord&metadataPrefix=oai_datacite&identifier={oai_identifier}",
            stac=f"{catalog}/stac/collections/{quote(dataset_id, safe='')}",
        )
