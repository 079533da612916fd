"""The `oai_datacite` 1.1 wrapper: a dataset's DataCite 4.7 `resource` as DataCite's own OAI-PMH format."""

from lxml import etree
from lxml.builder import ElementMaker

from catalog.records import Dataset
from catalog.view import View
from crosswalks.datacite import XSI, to_datacite

NS = "http://schema.datacite.org/oai/oai-1.1/"
SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
SCHEMA_LOCATION = f"{NS} {SCHEMA}"
SCHEMA_VERSION = "4.7"

E = ElementMaker(namespace=NS, nsmap={None: NS, "xsi": XSI})


def to_oai_datacite(record: Dataset, view: View, *, datacentre_symbol: str) -> etree._Element:
    """Return the `oai_datacite` record of a dataset: its DataCite `resource` with the registering datacentre.

    Total where `to_datacite` is: raise `ValueError` for a dataset without a DOI (see `can_disseminate`). The 1.1
    schema dropped 1.0's `isReferenceQuality` and puts its three children in an `xs:all`; the order here is the
    one of DataCite's own feed.
    """
    return E.oai_datacite(
        {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION},
        E.schemaVersion(SCHEMA_VERSION),
        E.datacentreSymbol(datacentre_symbol),
        E.payload(to_datacite(record, view)),
    )
