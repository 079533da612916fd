"""The OpenAPI document (`service-desc`) is valid OpenAPI 3.0, matches the routes the app really serves under
`/stac`, and its HTML view (`service-doc`) is self-contained and escapes what it shows."""

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator

from server.stac.openapi import OPENAPI_MEDIA_TYPE, openapi_document, service_doc_html
from tests.server.stac.conftest import BASE_URL

STAC_BASE = f"{BASE_URL}/stac"
METHODS = frozenset({"get", "post", "put", "patch", "delete"})


def document(app: Flask) -> dict[str, Any]:
    return openapi_document(STAC_BASE, max_limit=int(app.config["STAC_MAX_LIMIT"]))


def shape(path: str) -> str:
    """A path with its parameters' names dropped, so Flask's `<dataset_id>` and OpenAPI's `{collectionId}` meet."""
    path = re.sub(r"<(?:[a-z]+:)?[^>]+>", "{}", path)
    path = re.sub(r"\{[^}]+\}", "{}", path)
    return path.rstrip("/") or "/"


def test_the_document_is_valid_openapi_3_0(stac_app: Flask) -> None:
    errors = [error.message for error in OpenAPIV30SpecValidator(document(stac_app)).iter_errors()]
    assert not errors, errors


def test_a_broken_document_is_caught_by_the_same_validator(stac_app: Flask) -> None:
    broken = document(stac_app)
    broken["components"]["parameters"]["limit"]["in"] = "body"
    del broken["paths"]["/conformance"]["get"]["responses"]
    assert len(list(OpenAPIV30SpecValidator(broken).iter_errors())) >= 1


def test_every_route_under_stac_is_documented_and_every_documented_operation_is_routed(stac_app: Flask) -> None:
    routed: set[tuple[str, str]] = set()
    for rule in stac_app.url_map.iter_rules():
        if rule.rule == "/stac" or rule.rule.startswith("/stac/"):
            path = shape(rule.rule.removeprefix("/stac"))
            routed.update((path, method.lower()) for method in rule.methods or () if method.lower() in METHODS)
    documented = {
        (shape(path), method)
        for path, item in document(stac_app)["paths"].items()
        for method in item
        if method in METHODS
    }
    assert routed, "no routes under /stac: is the STAC blueprint registered?"
    assert routed - documented == set(), f"served but not in the OpenAPI document: {sorted(routed - documented)}"
    assert documented - routed == set(), f"documented but not served: {sorted(documented - routed)}"


def test_path_parameters_are_declared_for_every_templated_segment(stac_app: Flask) -> None:
    doc = document(stac_app)
    parameters = doc["components"]["parameters"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            declared = {
                parameters[p["$ref"].rsplit("/", 1)[-1]]["name"] if "$ref" in p else p["name"]
                for p in operation.get("parameters", [])
                if (parameters[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p)["in"] == "path"
            }
            assert declared == set(re.findall(r"\{([^}]+)\}", path)), (method, path)


def test_limit_and_errors_are_documented(stac_app: Flask) -> None:
    doc = document(stac_app)
    limit = doc["components"]["parameters"]["limit"]["schema"]
    assert limit["maximum"] == stac_app.config["STAC_MAX_LIMIT"]
    assert limit["minimum"] == 1
    assert doc["servers"] == [{"url": STAC_BASE}]
    assert doc["components"]["schemas"]["Error"]["required"] == ["code", "description"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            codes = {code for code in operation["responses"] if code.startswith("4")}
            assert "405" in codes, (method, path)
            for code in codes:
                response = doc["components"]["responses"][operation["responses"][code]["$ref"].rsplit("/", 1)[-1]]
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "415" in doc["paths"]["/search"]["post"]["responses"]


def test_the_app_serves_the_document_and_its_page(stac_client: FlaskClient, stac_app: Flask) -> None:
    landing = stac_client.get("/stac").get_json()
    links = {link["rel"]: link for link in landing["links"]}
    assert links["service-desc"]["href"] == f"{STAC_BASE}/api"
    assert links["service-desc"]["type"] == OPENAPI_MEDIA_TYPE
    assert links["service-doc"]["href"] == f"{STAC_BASE}/api.html"
    assert links["service-doc"]["type"] == "text/html"

    served = stac_client.get("/stac/api")
    assert served.status_code == 200
    assert served.mimetype == "application/vnd.oai.openapi+json"
    assert served.headers["Access-Control-Allow-Origin"] == "*"
    assert served.get_json() == document(stac_app)

    page = stac_client.get("/stac/api.html")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert page.get_data(as_text=True) == service_doc_html(document(stac_app))


def test_the_page_shows_every_operation_and_parameter_without_scripts(stac_app: Flask) -> None:
    doc = document(stac_app)
    tree = html.fromstring(service_doc_html(doc))
    assert not tree.xpath("//script | //link[@rel='stylesheet'] | //iframe | //img")
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")
    headings = [" ".join(h.text_content().split()) for h in tree.xpath("//section[@class='operation']/h3")]
    expected = [f"{method.upper()} {path}" for path, item in doc["paths"].items() for method in item]
    assert headings == expected
    text = tree.text_content()
    for name in doc["components"]["parameters"]:
        assert doc["components"]["parameters"][name]["name"] in text
    for status in ("200", "400", "404", "405", "415"):
        assert status in text


def test_the_page_escapes_everything() -> None:
    hostile = '<script>alert("x")</script>&<b onclick="y">'
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": hostile, "version": hostile, "description": f"{hostile} `<i>code</i>`"},
        "servers": [{"url": f'javascript:"{hostile}'}],
        "paths": {
            f"/x{hostile}": {
                "get": {
                    "operationId": hostile,
                    "summary": hostile,
                    "description": hostile,
                    "parameters": [
                        {"name": hostile, "in": "query", "description": hostile, "schema": {"type": hostile}}
                    ],
                    "responses": {hostile: {"description": hostile, "content": {hostile: {}}}},
                }
            }
        },
    }
    page = service_doc_html(doc)
    assert "<script" not in page
    assert "<b " not in page
    tree = html.fromstring(page)
    assert not tree.xpath("//script | //b | //i | //@onclick | //a[starts-with(@href, 'javascript')]")
    assert tree.xpath("//code[. = '<i>code</i>']"), "a Markdown code span shows as <code>, its text escaped"
    assert hostile in tree.text_content()


def documented_schema(doc: dict[str, Any], path: str, method: str, status: str) -> tuple[str, dict[str, Any]]:
    """The media type and JSON schema the document gives for one response, with the components to resolve in."""
    response = doc["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    media_type, content = next(iter(response["content"].items()))
    return media_type, {"components": doc["components"], "allOf": [content["schema"]]}


def test_responses_match_the_documented_schemas(stac_client: FlaskClient, stac_app: Flask) -> None:
    """What the app answers is what the document says it answers: media type and body, for successes and errors."""
    doc = document(stac_app)
    first = stac_client.get("/stac/search?limit=1").get_json()["features"][0]
    collection, item = first["collection"], first["id"]
    item_url = f"/stac/collections/{collection}/items/{item}"
    links = stac_client.get("/stac").get_json()["links"]
    mission = next(link["href"] for link in links if "/catalogs/" in link["href"])
    cases = [
        ("GET", "/", "/stac", None, "200"),
        ("GET", "/conformance", "/stac/conformance", None, "200"),
        ("GET", "/catalogs/{missionId}", mission.removeprefix(BASE_URL), None, "200"),
        ("GET", "/collections", "/stac/collections?limit=3", None, "200"),
        ("GET", "/collections/{collectionId}", f"/stac/collections/{collection}", None, "200"),
        ("GET", "/collections/{collectionId}/items", f"/stac/collections/{collection}/items?limit=3", None, "200"),
        ("GET", "/collections/{collectionId}/items/{itemId}", item_url, None, "200"),
        ("GET", "/collections/{collectionId}/queryables", f"/stac/collections/{collection}/queryables", None, "200"),
        ("GET", "/queryables", "/stac/queryables", None, "200"),
        ("GET", "/search", "/stac/search?limit=5&sortby=-datetime", None, "200"),
        ("POST", "/search", "/stac/search", {"limit": 5, "collections": [collection]}, "200"),
        ("GET", "/search", "/stac/search?bbox=1,2,3", None, "400"),
        ("GET", "/collections/{collectionId}", "/stac/collections/no-such", None, "404"),
        ("POST", "/search", "/stac/search", "not json", "415"),
    ]
    for method, path, url, body, status in cases:
        if isinstance(body, str):
            response = stac_client.post(url, data=body, content_type="text/plain")
        elif body is not None:
            response = stac_client.post(url, json=body)
        else:
            response = stac_client.get(url)
        assert str(response.status_code) == status, (method, url, response.get_data(as_text=True)[:300])
        media_type, schema = documented_schema(doc, path, method.lower(), status)
        assert response.mimetype == media_type.split(";")[0], (method, url, response.mimetype)
        errors = [e.message for e in OAS30Validator(schema).iter_errors(response.get_json())]
        assert not errors, (method, url, errors[:5])
