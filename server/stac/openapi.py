"""The STAC API's OpenAPI 3.0 document (`service-desc`) and its HTML rendering (`service-doc`), built as data.

Nothing here knows Flask: the blueprint serves `openapi_document(...)` as JSON and `service_doc_html(...)` as HTML.
The document is the contract the fuzz test draws its requests from, so every parameter the endpoints read is
declared here with the shape the endpoints accept.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from html import escape
from typing import Any

from server.stac.cql2 import FILTER_LANGS

OPENAPI_VERSION = "3.0.3"
OPENAPI_MEDIA_TYPE = "application/vnd.oai.openapi+json;version=3.0"
JSON = "application/json"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
HTML = "text/html"

SORTABLE_FIELDS = ("datetime", "start_datetime", "end_datetime", "id", "collection")
"""Fields `sortby` accepts, bare or as `properties.<field>`."""

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _schema(name: str) -> dict[str, str]:
    return _ref("schemas", name)


def _content(media_type: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {media_type: {"schema": dict(schema)}}


def _ok(description: str, media_type: str, schema_name: str) -> dict[str, Any]:
    return {"description": description, "content": _content(media_type, _schema(schema_name))}


ERROR_RESPONSES = {"400": "BadRequest", "404": "NotFound", "405": "MethodNotAllowed", "415": "UnsupportedMediaType"}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _ref("responses", ERROR_RESPONSES[code]) for code in codes}


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


def _query(name: str, description: str, schema: Mapping[str, Any], **style: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": dict(schema), **style}


def _parameters(max_limit: int) -> dict[str, Any]:
    csv = {"style": "form", "explode": False}
    return {
        "collectionId": _path_parameter("collectionId", "A collection (dataset) id."),
        "itemId": _path_parameter("itemId", "An item (granule) id within the collection."),
        "missionId": _path_parameter("missionId", "A mission id: its catalog lists the mission's collections."),
        "bbox": _query(
            "bbox",
            "Only features whose geometry intersects this box, in WGS 84 longitude and latitude: "
            "`minx,miny,maxx,maxy` (or six numbers with heights). Items without geometry (not on Earth) never match.",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            **csv,
        ),
        "intersects": _query(
            "intersects",
            "Only items whose geometry intersects this GeoJSON geometry, given as JSON text (in a POST body, as an "
            "object). Not with `bbox`.",
            {"type": "string"},
        ),
        "datetime": _query(
            "datetime",
            "An RFC 3339 instant, or an interval `start/end` whose ends may be open (`..` or empty). "
            "Matches items whose `[start_datetime, end_datetime]` overlaps it.",
            {"type": "string"},
        ),
        "limit": _query(
            "limit",
            f"Page size, 1 to {max_limit}; a larger value is lowered to {max_limit}.",
            {"type": "integer", "minimum": 1, "maximum": max_limit, "default": 10},
        ),
        "token": _query(
            "token",
            "The opaque paging token of a `next` or `prev` link; any other value is a 400.",
            {"type": "string"},
        ),
        "ids": _query("ids", "Only items with these ids.", {"type": "array", "items": {"type": "string"}}, **csv),
        "collections": _query(
            "collections",
            "Only items of these collections; an unknown collection is a 400.",
            {"type": "array", "items": {"type": "string"}},
            **csv,
        ),
        "sortby": _query(
            "sortby",
            "Sort keys, comma-separated, each optionally prefixed by `+` (ascending) or `-` (descending), e.g. "
            f"`-datetime,+id`. Sortable: {', '.join(SORTABLE_FIELDS)}. Ties are broken by collection and id.",
            {"type": "array", "items": {"type": "string", "pattern": r"^[+-]?[A-Za-z0-9_:.]+$"}},
            **csv,
        ),
        "fields": _query(
            "fields",
            "Fields to include (`+` or no prefix) or exclude (`-`) from each item, e.g. `+properties.x,-assets`.",
            {"type": "array", "items": {"type": "string"}},
            **csv,
        ),
        "filter": _query(
            "filter",
            "A CQL2 expression over the queryables, in the language given by `filter-lang`.",
            {"type": "string"},
        ),
        "filter-lang": _query(
            "filter-lang",
            "The language of `filter`: `cql2-text` (default for GET) or `cql2-json`.",
            {"type": "string", "enum": list(FILTER_LANGS)},
        ),
        "filter-crs": _query(
            "filter-crs",
            f"The CRS of geometries in `filter`; only `{CRS84}` is supported.",
            {"type": "string", "enum": [CRS84]},
        ),
        "q": _query(
            "q",
            "Free-text search, comma-separated terms (any may match), over titles, descriptions and keywords "
            "(of the item's collection, for item search).",
            {"type": "array", "items": {"type": "string"}},
            **csv,
        ),
    }


def _link_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string", "format": "uri"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"},
            "method": {"type": "string", "enum": ["GET", "POST"]},
            "body": {"type": "object", "description": "For a POST link: the JSON body to send."},
            "merge": {"type": "boolean"},
        },
    }


def _geometry_schema() -> dict[str, Any]:
    position = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"}}
    return {
        "type": "object",
        "description": "A GeoJSON geometry (RFC 7946) in WGS 84.",
        "required": ["type"],
        "properties": {
            "type": {
                "type": "string",
                "enum": [
                    "Point",
                    "MultiPoint",
                    "LineString",
                    "MultiLineString",
                    "Polygon",
                    "MultiPolygon",
                    "GeometryCollection",
                ],
            },
            "coordinates": {
                "oneOf": [
                    position,
                    {"type": "array", "items": position},
                    {"type": "array", "items": {"type": "array", "items": position}},
                    {"type": "array", "items": {"type": "array", "items": {"type": "array", "items": position}}},
                ]
            },
            "geometries": {"type": "array", "items": {"type": "object"}},
        },
    }


def _schemas(max_limit: int) -> dict[str, Any]:
    stac_object = {
        "stac_version": {"type": "string"},
        "stac_extensions": {"type": "array", "items": {"type": "string"}},
        "id": {"type": "string"},
        "links": {"type": "array", "items": _schema("Link")},
    }
    bbox = {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}
    return {
        "Error": {
            "type": "object",
            "description": "Every 4xx answer: a machine-readable `code` and a human-readable `description`.",
            "required": ["code", "description"],
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        },
        "Link": _link_schema(),
        "Geometry": _geometry_schema(),
        "NullableGeometry": {**_geometry_schema(), "nullable": True, "description": "A geometry, or null off Earth."},
        "Bbox": bbox,
        "LandingPage": {
            "type": "object",
            "required": ["type", "stac_version", "id", "description", "links", "conformsTo"],
            "properties": {
                **stac_object,
                "type": {"type": "string", "enum": ["Catalog"]},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "conformsTo": {"type": "array", "items": {"type": "string"}},
            },
        },
        "Conformance": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
        },
        "Catalog": {
            "type": "object",
            "description": "A mission: its children are the mission's collections.",
            "required": ["type", "stac_version", "id", "description", "links"],
            "properties": {
                **stac_object,
                "type": {"type": "string", "enum": ["Catalog"]},
                "title": {"type": "string"},
                "description": {"type": "string"},
            },
        },
        "Collection": {
            "type": "object",
            "description": "A dataset. Restricted ones carry their access reason, scope and release date, no assets.",
            "required": ["type", "stac_version", "id", "description", "license", "extent", "links"],
            "properties": {
                **stac_object,
                "type": {"type": "string", "enum": ["Collection"]},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "keywords": {"type": "array", "items": {"type": "string"}},
                "license": {"type": "string"},
                "providers": {"type": "array", "items": {"type": "object"}},
                "extent": {
                    "type": "object",
                    "required": ["spatial", "temporal"],
                    "properties": {
                        "spatial": {
                            "type": "object",
                            "properties": {"bbox": {"type": "array", "items": _schema("Bbox")}},
                        },
                        "temporal": {
                            "type": "object",
                            "properties": {
                                "interval": {
                                    "type": "array",
                                    "items": {
                                        "type": "array",
                                        "minItems": 2,
                                        "maxItems": 2,
                                        "items": {"type": "string", "format": "date-time", "nullable": True},
                                    },
                                }
                            },
                        },
                    },
                },
                "summaries": {"type": "object"},
                "assets": {"type": "object", "additionalProperties": {"type": "object"}},
            },
        },
        "Collections": {
            "type": "object",
            "required": ["collections", "links"],
            "properties": {
                "collections": {"type": "array", "items": _schema("Collection")},
                "links": {"type": "array", "items": _schema("Link")},
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
        "Item": {
            "type": "object",
            "description": "A granule. `geometry` is null when it is not on Earth; restricted items have no assets.",
            "required": ["type", "stac_version", "id", "geometry", "properties", "links", "assets"],
            "properties": {
                **stac_object,
                "type": {"type": "string", "enum": ["Feature"]},
                "collection": {"type": "string"},
                "geometry": _schema("NullableGeometry"),
                "bbox": _schema("Bbox"),
                "properties": {
                    "type": "object",
                    "required": ["datetime"],
                    "properties": {
                        "datetime": {"type": "string", "format": "date-time", "nullable": True},
                        "start_datetime": {"type": "string", "format": "date-time"},
                        "end_datetime": {"type": "string", "format": "date-time"},
                    },
                },
                "assets": {"type": "object", "additionalProperties": {"type": "object"}},
            },
        },
        "ItemCollection": {
            "type": "object",
            "description": "A page of items; follow the `next` and `prev` links to page.",
            "required": ["type", "features", "links"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _schema("Item")},
                "links": {"type": "array", "items": _schema("Link")},
                "numberMatched": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Left out when it cannot be counted within the server's time budget.",
                },
                "numberReturned": {"type": "integer", "minimum": 0},
            },
        },
        "SearchBody": {
            "type": "object",
            "description": "Item search as JSON: the GET parameters as fields, with `intersects` in addition.",
            "properties": {
                "ids": {"type": "array", "items": {"type": "string"}},
                "collections": {"type": "array", "items": {"type": "string"}},
                "bbox": _schema("Bbox"),
                "intersects": _schema("Geometry"),
                "datetime": {"type": "string"},
                "limit": {"type": "integer", "minimum": 1, "maximum": max_limit},
                "sortby": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "direction"],
                        "properties": {
                            "field": {"type": "string"},
                            "direction": {"type": "string", "enum": ["asc", "desc"]},
                        },
                    },
                },
                "fields": {
                    "type": "object",
                    "properties": {
                        "include": {"type": "array", "items": {"type": "string"}},
                        "exclude": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "filter": {
                    "description": "CQL2: a string for `cql2-text`, an object for `cql2-json` (the default for POST).",
                    "oneOf": [{"type": "string"}, {"type": "object"}],
                },
                "filter-lang": {"type": "string", "enum": list(FILTER_LANGS)},
                "filter-crs": {"type": "string", "enum": [CRS84]},
                "q": {
                    "description": "Free-text terms: a string (comma-separated) or a list.",
                    "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                },
                "token": {"type": "string"},
            },
        },
        "Queryables": {
            "type": "object",
            "description": "A JSON Schema naming the properties CQL2 filters may use.",
            "required": ["$schema", "$id", "type", "properties"],
            "properties": {
                "$schema": {"type": "string"},
                "$id": {"type": "string"},
                "type": {"type": "string", "enum": ["object"]},
                "title": {"type": "string"},
                "properties": {"type": "object"},
                "additionalProperties": {"type": "boolean"},
            },
        },
    }


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": _content(JSON, _schema("Error"))}


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _error_response("A malformed or out-of-range parameter or body field; the description names it."),
        "NotFound": _error_response("No collection, item or mission the public may see has this id."),
        "MethodNotAllowed": _error_response("The path exists but does not answer this method."),
        "UnsupportedMediaType": _error_response("A POST whose body is not JSON (`Content-Type: application/json`)."),
    }


def _search_get_parameters() -> list[dict[str, str]]:
    names = ("ids", "collections", "bbox", "intersects", "datetime", "limit", "sortby", "fields", "filter")
    return [_ref("parameters", name) for name in (*names, "filter-lang", "filter-crs", "q", "token")]


def _paths() -> dict[str, Any]:
    parameter = _ref
    collection_id = parameter("parameters", "collectionId")
    page = _ok("A page of items.", GEOJSON, "ItemCollection")
    return {
        "/": {
            "get": {
                "operationId": "getLandingPage",
                "summary": "Landing page",
                "description": "The root catalog: conformance classes and links to everything else.",
                "tags": ["Core"],
                "responses": {"200": _ok("The landing page.", JSON, "LandingPage"), **_errors("405")},
            }
        },
        "/conformance": {
            "get": {
                "operationId": "getConformance",
                "summary": "Conformance classes",
                "description": "The conformance classes this API implements.",
                "tags": ["Core"],
                "responses": {"200": _ok("The conformance classes.", JSON, "Conformance"), **_errors("405")},
            }
        },
        "/api": {
            "get": {
                "operationId": "getServiceDesc",
                "summary": "This OpenAPI document",
                "tags": ["Core"],
                "responses": {
                    "200": {"description": "The OpenAPI 3.0 document.", "content": {OPENAPI_MEDIA_TYPE: {}}},
                    **_errors("405"),
                },
            }
        },
        "/api.html": {
            "get": {
                "operationId": "getServiceDoc",
                "summary": "This document as a web page",
                "tags": ["Core"],
                "responses": {
                    "200": {"description": "An HTML page.", "content": {HTML: {"schema": {"type": "string"}}}},
                    **_errors("405"),
                },
            }
        },
        "/catalogs/{missionId}": {
            "get": {
                "operationId": "getMissionCatalog",
                "summary": "A mission's catalog",
                "tags": ["Browse"],
                "parameters": [parameter("parameters", "missionId")],
                "responses": {"200": _ok("The mission catalog.", JSON, "Catalog"), **_errors("404", "405")},
            }
        },
        "/collections": {
            "get": {
                "operationId": "getCollections",
                "summary": "Collections",
                "description": "The collections the public may see, paged, with collection search.",
                "tags": ["Collections"],
                "parameters": [parameter("parameters", name) for name in ("limit", "bbox", "datetime", "q", "token")],
                "responses": {
                    "200": _ok("A page of collections.", JSON, "Collections"),
                    **_errors("400", "405"),
                },
            }
        },
        "/collections/{collectionId}": {
            "get": {
                "operationId": "describeCollection",
                "summary": "A collection",
                "tags": ["Collections"],
                "parameters": [collection_id],
                "responses": {"200": _ok("The collection.", JSON, "Collection"), **_errors("404", "405")},
            }
        },
        "/collections/{collectionId}/items": {
            "get": {
                "operationId": "getFeatures",
                "summary": "A collection's items",
                "tags": ["Features"],
                "parameters": [
                    collection_id,
                    *(
                        parameter("parameters", name)
                        for name in ("bbox", "datetime", "limit", "sortby", "fields", "filter", "filter-lang")
                    ),
                    parameter("parameters", "filter-crs"),
                    parameter("parameters", "token"),
                ],
                "responses": {"200": page, **_errors("400", "404", "405")},
            }
        },
        "/collections/{collectionId}/items/{itemId}": {
            "get": {
                "operationId": "getFeature",
                "summary": "An item",
                "tags": ["Features"],
                "parameters": [collection_id, parameter("parameters", "itemId")],
                "responses": {"200": _ok("The item.", GEOJSON, "Item"), **_errors("404", "405")},
            }
        },
        "/collections/{collectionId}/queryables": {
            "get": {
                "operationId": "getCollectionQueryables",
                "summary": "Queryables of a collection",
                "tags": ["Filter"],
                "parameters": [collection_id],
                "responses": {
                    "200": _ok("The queryables.", SCHEMA_JSON, "Queryables"),
                    **_errors("404", "405"),
                },
            }
        },
        "/queryables": {
            "get": {
                "operationId": "getQueryables",
                "summary": "Queryables",
                "description": "The properties CQL2 filters may use in item search.",
                "tags": ["Filter"],
                "responses": {"200": _ok("The queryables.", SCHEMA_JSON, "Queryables"), **_errors("405")},
            }
        },
        "/search": {
            "get": {
                "operationId": "getItemSearch",
                "summary": "Search items",
                "tags": ["Item Search"],
                "parameters": _search_get_parameters(),
                "responses": {"200": page, **_errors("400", "405")},
            },
            "post": {
                "operationId": "postItemSearch",
                "summary": "Search items (JSON body)",
                "description": "As GET, with the parameters as JSON fields; `next` and `prev` links are POST links.",
                "tags": ["Item Search"],
                "requestBody": {"required": True, "content": _content(JSON, _schema("SearchBody"))},
                "responses": {"200": page, **_errors("400", "405", "415")},
            },
        },
    }


def openapi_document(stac_base: str, *, max_limit: int) -> dict[str, Any]:
    """Build the OpenAPI 3.0 document of the STAC API served at `stac_base` (`{CATALOG_BASE_URL}/stac`)."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "ISAS/JAXA Science Archive STAC API",
            "version": "1.0.0",
            "description": (
                "Discovery of the ISAS/JAXA science archive: missions are catalogs, datasets are collections, "
                "granules are items (STAC 1.1). Data not on Earth has `geometry: null` and a whole-globe "
                "placeholder extent. Undisclosed datasets and granules never appear; restricted ones appear with "
                "their access reason, scope and release date, and without assets until released. "
                f"Pages hold at most {max_limit} items. Every error is JSON `{{code, description}}`."
            ),
        },
        "servers": [{"url": stac_base}],
        "tags": [{"name": name} for name in ("Core", "Browse", "Collections", "Features", "Item Search", "Filter")],
        "paths": _paths(),
        "components": {
            "parameters": _parameters(max_limit),
            "schemas": _schemas(max_limit),
            "responses": _responses(),
        },
    }


def _resolve(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local `$ref` (`#/components/...`) once; anything else is returned as it is."""
    reference = node.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return node
    target: Any = document
    for part in reference[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, Mapping) else {}
    return target if isinstance(target, Mapping) else {}


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = str(schema.get("type", ""))
    if kind == "array":
        items = schema.get("items")
        inner = _type_of(items) if isinstance(items, Mapping) else ""
        return f"array of {inner}" if inner else "array"
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    return kind or str(schema.get("$ref", "")).rsplit("/", 1)[-1]


def _text(value: Any) -> str:
    return escape(str(value), quote=True)


_CODE_SPAN = re.compile(r"`([^`]+)`")


def _prose(value: Any) -> str:
    """Escape a description, then show its Markdown code spans as `<code>` (their text is escaped already)."""
    return _CODE_SPAN.sub(r"<code>\1</code>", _text(value))


def _parameter_rows(document: Mapping[str, Any], parameters: Sequence[Any]) -> Iterator[str]:
    for raw in parameters:
        parameter = _resolve(document, raw)
        schema = parameter.get("schema", {})
        limits = "".join(
            f" {word} {schema[key]}"
            for key, word in (("minimum", "min"), ("maximum", "max"), ("default", "default"))
            if key in schema
        )
        yield (
            f"<tr><td><code>{_text(parameter.get('name', ''))}</code></td><td>{_text(parameter.get('in', ''))}</td>"
            f"<td>{'yes' if parameter.get('required') else 'no'}</td>"
            f"<td>{_text(_type_of(schema) + limits)}</td><td>{_prose(parameter.get('description', ''))}</td></tr>"
        )


def _operation(document: Mapping[str, Any], path: str, method: str, operation: Mapping[str, Any]) -> Iterator[str]:
    anchor = _text(operation.get("operationId", f"{method}-{path}"))
    yield f'<section class="operation" id="{anchor}">'
    yield f'<h3><span class="method">{_text(method.upper())}</span> <code>{_text(path)}</code></h3>'
    if operation.get("summary"):
        yield f"<p><strong>{_text(operation['summary'])}</strong></p>"
    if operation.get("description"):
        yield f"<p>{_prose(operation['description'])}</p>"
    parameters = operation.get("parameters", [])
    if parameters:
        yield "<h4>Parameters</h4><table>"
        yield "<tr><th>name</th><th>in</th><th>required</th><th>type</th><th>description</th></tr>"
        yield from _parameter_rows(document, parameters)
        yield "</table>"
    body = operation.get("requestBody")
    if isinstance(body, Mapping):
        yield "<h4>Request body</h4><ul>"
        for media_type, content in body.get("content", {}).items():
            schema = content.get("schema", {})
            yield f"<li><code>{_text(media_type)}</code>: {_text(_type_of(schema))}</li>"
        yield "</ul>"
    yield "<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>media types</th></tr>"
    for status, raw in operation.get("responses", {}).items():
        response = _resolve(document, raw)
        media = ", ".join(response.get("content", {}))
        yield (
            f"<tr><td>{_text(status)}</td><td>{_prose(response.get('description', ''))}</td>"
            f"<td><code>{_text(media)}</code></td></tr>"
        )
    yield "</table></section>"


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;line-height:1.4}"
    "table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.25rem .5rem;"
    "text-align:left;vertical-align:top}.method{background:#234;color:#fff;padding:0 .4rem;border-radius:3px}"
    "section.operation{border-top:1px solid #ddd;margin-top:1.5rem}"
)


def _server_link(url: str) -> str:
    """A server URL as a link, only when it is http(s): escaping alone would not stop a `javascript:` href."""
    if url.startswith(("http://", "https://")):
        return f'<a href="{_text(url)}"><code>{_text(url)}</code></a>'
    return f"<code>{_text(url)}</code>"


def service_doc_html(document: Mapping[str, Any]) -> str:
    """Render an OpenAPI document as one self-contained, script-free HTML page (every value escaped)."""
    info = document.get("info", {})
    title = _text(info.get("title", "API"))
    servers = [str(server.get("url", "")) for server in document.get("servers", [])]
    paths: Mapping[str, Any] = document.get("paths", {})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p>Version {_text(info.get('version', ''))}, OpenAPI {_text(document.get('openapi', ''))}.</p>",
        f"<p>{_prose(info.get('description', ''))}</p>",
    ]
    if servers:
        links = ", ".join(_server_link(url) for url in servers)
        parts.append(f"<p>Served at {links}; paths below are relative to it.</p>")
    parts.append("<h2>Contents</h2><ul>")
    for path, item in paths.items():
        for method in HTTP_METHODS:
            if method in item:
                anchor = _text(item[method].get("operationId", f"{method}-{path}"))
                parts.append(f'<li><a href="#{anchor}">{_text(method.upper())} <code>{_text(path)}</code></a></li>')
    parts.append("</ul><h2>Operations</h2>")
    for path, item in paths.items():
        for method in HTTP_METHODS:
            if method in item:
                parts.extend(_operation(document, path, method, item[method]))
    error = document.get("components", {}).get("schemas", {}).get("Error")
    if isinstance(error, Mapping):
        parts.append(f"<h2>Errors</h2><p>{_prose(error.get('description', ''))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
