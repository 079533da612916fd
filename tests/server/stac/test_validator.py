"""`stac-api-validator` (PyPI) against a live `isas-catalog serve`, offline.

The validator, stac-validator, stac-check and pystac fetch JSON Schemas over the network, and stac-validator opens
every link and asset href to see whether it answers. Here every HTTP request leaves through one router
(`requests`' adapter, urllib's opener, urllib3's pool manager that pystac uses, and name resolution and the socket
layer as a last guard):

- requests to the live server pass;
- schema URLs are answered from local copies: STAC 1.1 core and GeoJSON from pystac's bundled schemas, the
  extensions from `../shared/schemas/stac-extensions`, JSON Schema meta-schemas from `jsonschema_specifications`;
- anything else is refused and recorded. The validator only records link and asset hrefs it could not open (the
  archive's download links and DOIs, outside this machine): the test checks that every refused URL is such an href
  of a document the server sent, so a schema fetched from somewhere unforeseen fails the test loudly.

The validator exits 0 even when it crashes, so the test reads its output ("Errors: none") and its log (one
"Validating …" line per conformance class), not its exit status. It runs in-process through its click command,
with `--validate-pagination`. pytest turns warnings into errors, and the validator reports any exception as an API
error: the one warning its own code causes (its call of pystac's deprecated `get_all_items`) is ignored by name.
"""

import email.message
import importlib.resources
import io
import json
import logging
import socket
import urllib.error
import urllib.request
import urllib.response
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pystac
import pytest
import requests
import requests.adapters
import urllib3
from click.testing import CliRunner
from stac_api_validator.__main__ import main as validator_main

from catalog.timeutil import utcnow
from catalog.vocab import Visibility
from tests.conftest import shared_path
from tests.server.stac.conftest import Archive, strings_in

COLLECTION = "balloon-air-sampling"
"""A public collection whose items have a footprint, assets and a free property: the validator's Fields and
intersects checks need all three in the first item."""
NESTED_PROPERTY = "properties.altitude_km"
GEOMETRY = {
    "type": "Polygon",
    "coordinates": [[[140.0, 40.0], [150.0, 40.0], [150.0, 45.0], [140.0, 45.0], [140.0, 40.0]]],
}
CONFORMANCE_CLASSES = {
    "core": "Validating STAC API - Core conformance class.",
    "collections": "Validating STAC API - Collections conformance class.",
    "features": "Validating STAC API - Features conformance class.",
    "item-search": "Validating STAC API - Item Search conformance class.",
    "filter": "Validating STAC API - Item Search - Filter Extension conformance class.",
    "item-search#sort": "STAC API - Item Search - Sort extension conformance class found.",
    "item-search#fields": "STAC API - Item Search - Fields extension conformance class found.",
}
"""The classes the issue asks for (the validator's spelling), each with the log line that shows it ran."""
CQL2_CLASSES = (
    "Validating STAC API - Item Search - Filter Extension - CQL2-Text conformance class.",
    "Validating STAC API - Item Search - Filter Extension - CQL2-JSON conformance class.",
    "Validating STAC API - Item Search - Filter Extension - Basic CQL2 conformance class.",
)
SCHEMA_HOSTS = ("schemas.stacspec.org", "stac-extensions.github.io", "geojson.org", "json-schema.org")
SPEC_FOLDERS = {"catalog.json": "catalog-spec", "collection.json": "collection-spec"}
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def local_schemas() -> dict[str, Path]:
    """Every schema URL the validators may ask for, mapped to a local copy; fail when a folder is missing."""
    bundled = Path(pystac.__file__).parent / "validation" / "jsonschemas"
    core = bundled / "stac-spec" / "v1.1.0"
    if not core.is_dir():
        pytest.fail(f"{core} is missing: pystac should bundle the STAC 1.1 core schemas")
    schemas: dict[str, Path] = {}
    for path in core.glob("*.json"):
        folder = SPEC_FOLDERS.get(path.name, "item-spec")
        schemas[f"https://schemas.stacspec.org/v1.1.0/{folder}/json-schema/{path.name}"] = path
    for path in (bundled / "geojson").glob("*.json"):
        schemas[f"https://geojson.org/schema/{path.name}"] = path
    for path in shared_path("schemas", "stac-extensions").glob("*.json"):
        schemas[urldefrag(json.loads(path.read_text())["$id"]).url] = path
    meta = Path(str(importlib.resources.files("jsonschema_specifications"))) / "schemas"
    for version, folder in (("draft-07", "draft7"), ("draft-04", "draft4"), ("draft-06", "draft6")):
        for url in (f"http://json-schema.org/{version}/schema", f"https://json-schema.org/{version}/schema"):
            schemas[url] = meta / folder / "metaschema.json"
    missing = [url for url, path in schemas.items() if not path.is_file()]
    assert not missing, f"local schema copies missing for {missing}"
    return schemas


class Router:
    """Where each request of the validators goes: the live server, a local schema, or refused (and recorded)."""

    def __init__(self, live_base: str, schemas: dict[str, Path]) -> None:
        self.live = urlsplit(live_base).netloc
        self.schemas = schemas
        self.served: list[str] = []
        self.refused: list[str] = []
        self.live_requests = 0

    def is_live(self, url: str) -> bool:
        return urlsplit(url).netloc == self.live

    def schema(self, url: str) -> bytes | None:
        path = self.schemas.get(urldefrag(url).url.rstrip("#"))
        if path is None:
            return None
        self.served.append(url)
        return path.read_bytes()

    def refuse(self, url: str) -> str:
        self.refused.append(url)
        return f"offline test: no network for {url}"


@pytest.fixture
def router(live_server: str, monkeypatch: pytest.MonkeyPatch) -> Router:
    router = Router(live_server, local_schemas())

    original_send = requests.adapters.HTTPAdapter.send

    def send(adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        url = str(request.url)
        if router.is_live(url):
            router.live_requests += 1
            return original_send(adapter, request, **kwargs)
        content = router.schema(url)
        if content is None:
            raise requests.ConnectionError(router.refuse(url), request=request)
        response = requests.Response()
        response.status_code = 200
        response.url = url
        response.request = request
        response.headers["Content-Type"] = "application/json"
        response._content = content
        return response

    original_open = urllib.request.OpenerDirector.open

    def open_(opener: urllib.request.OpenerDirector, fullurl: Any, *args: Any, **kwargs: Any) -> Any:
        url = fullurl.full_url if isinstance(fullurl, urllib.request.Request) else str(fullurl)
        if router.is_live(url):
            router.live_requests += 1
            return original_open(opener, fullurl, *args, **kwargs)
        content = router.schema(url)
        if content is None:
            raise urllib.error.URLError(router.refuse(url))
        headers = email.message.Message()
        headers["Content-Type"] = "application/json"
        return urllib.response.addinfourl(io.BytesIO(content), headers, url, 200)

    original_urlopen = urllib3.PoolManager.urlopen

    def pool_urlopen(pool: urllib3.PoolManager, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if router.is_live(url):
            router.live_requests += 1
            return original_urlopen(pool, method, url, *args, **kwargs)
        content = router.schema(url)
        if content is None:
            raise urllib3.exceptions.NewConnectionError(None, router.refuse(url))  # type: ignore[arg-type]
        headers = {"Content-Type": "application/json"}
        return urllib3.HTTPResponse(io.BytesIO(content), headers=headers, status=200, preload_content=False)

    original_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (*LOOPBACK, None) and not str(host).startswith("127."):
            raise socket.gaierror(router.refuse(f"socket://{host}"))
        return original_getaddrinfo(host, *args, **kwargs)

    original_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            raise OSError(router.refuse(f"socket://{host}"))
        original_connect(sock, address)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", open_)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(urllib3.PoolManager, "urlopen", pool_urlopen)
    return router


@pytest.mark.filterwarnings("ignore:get_all_items is deprecated:DeprecationWarning")
def test_stac_api_validator_passes_offline(
    router: Router, live_server: str, live_archive: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    granules = [g for key, g in live_archive.granules.items() if key[0] == COLLECTION]
    assert live_archive.collections_at(utcnow()).get(COLLECTION) is Visibility.PUBLIC
    assert granules
    assert all(g.bbox and g.assets and "altitude_km" in g.properties for g in granules)

    caplog.set_level(logging.INFO, logger="stac_api_validator")
    arguments = ["--root-url", f"{live_server}/stac", "--collection", COLLECTION, "--geometry", json.dumps(GEOMETRY)]
    arguments += ["--fields-nested-property", NESTED_PROPERTY, "--validate-pagination"]
    for name in CONFORMANCE_CLASSES:
        arguments += ["--conformance", name]
    result = CliRunner().invoke(validator_main, arguments, catch_exceptions=True)
    output = result.output
    log = "\n".join(record.getMessage() for record in caplog.records)
    report = f"validator output:\n{output}\nlog (last lines):\n{log[-4000:]}\nrefused: {sorted(set(router.refused))}"

    assert result.exception is None or isinstance(result.exception, SystemExit), report
    assert "Failed." not in output, report
    assert router.live_requests > 100, report
    assert any("schemas.stacspec.org/v1.1.0/item-spec" in url for url in router.served), router.served
    assert any("stac-extensions.github.io" in url for url in router.served), router.served
    assert_refused_only_document_hrefs(router, live_server)
    for name, line in CONFORMANCE_CLASSES.items():
        assert line in log, f"{name} was not validated\n{report}"
    for line in CQL2_CLASSES:
        assert line in log, f"CQL2 class not validated: {line}\n{report}"
    assert "Errors: none" in output, report


def assert_refused_only_document_hrefs(router: Router, live_server: str) -> None:
    """Every refused URL must be a link or asset href the server itself published, never a schema."""
    schema_like = [url for url in router.refused if urlsplit(url).netloc in SCHEMA_HOSTS or url.endswith(".json")]
    assert not schema_like, f"schemas with no local copy (add them to local_schemas): {schema_like}"
    sockets = [url for url in router.refused if url.startswith("socket://")]
    assert not sockets, f"connections that bypassed the router: {sockets}"
    published: set[str] = set()
    for path in ("", "/collections?limit=1000", f"/collections/{COLLECTION}/items?limit=1000"):
        with urllib.request.urlopen(f"{live_server}/stac{path}", timeout=30) as response:
            published.update(strings_in(json.loads(response.read())))
    unexplained = sorted(set(router.refused) - published)
    assert not unexplained, f"refused requests that are not hrefs the server published: {unexplained[:20]}"
