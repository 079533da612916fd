"""The `/stac` endpoints: parse the request, call a handler, answer JSON; every error is `{code, description}`."""

import json
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from server import now_of, store_of
from server.stac import handlers
from server.stac.errors import InvalidParameter, NotFound, StacError, UnsupportedMediaType
from server.stac.handlers import GEOJSON, JSON, OPENAPI, Context, Requested

bp = Blueprint("stac", __name__, url_prefix="/stac")

MAX_BODY = 1_000_000
"""The largest POST body read, in bytes; a search is a few hundred."""
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization",
    "Access-Control-Max-Age": "86400",
}


def init_app(app: Flask) -> None:
    from server.pages import Endpoint

    app.extensions["catalog.endpoints"].append(
        Endpoint("STAC API", "/stac", "STAC API 1.0: missions as catalogs, datasets as collections, granules as items.")
    )
    app.url_map.merge_slashes = False
    app.register_blueprint(bp)
    app.register_error_handler(HTTPException, http_error)
    app.after_request(cors)


def http_error(error: HTTPException) -> ResponseReturnValue:
    """Under `/stac`, HTTP errors (no such route, method not allowed) are STAC errors too: JSON, with CORS."""
    from server import pages

    if not is_stac_path(request.path):
        return pages.http_error(error)
    name = (error.name or "Error").replace(" ", "")
    response = answer({"code": name, "description": error.description or name}, status=error.code or 500)
    if error.code == 405 and isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def context() -> Context:
    config = current_app.config
    return Context(
        store=store_of(current_app),
        now=now_of(current_app),
        base_url=str(config["BASE_URL"]),
        repository_identifier=str(config["REPOSITORY_IDENTIFIER"]),
        title=str(config["REPOSITORY_NAME"]),
        secret_key=str(config["SECRET_KEY"]),
        default_limit=int(config["STAC_PAGE_SIZE"]),
        max_limit=int(config["STAC_MAX_LIMIT"]),
        count_budget=int(config["STAC_COUNT_BUDGET_MS"]) / 1000,
    )


def answer(document: Any, media_type: str = JSON, status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, content_type=media_type)


def is_stac_path(path: str) -> bool:
    return path == "/stac" or path.startswith("/stac/")


def cors(response: Response) -> Response:
    """CORS headers on every answer under `/stac`, redirects and routing errors included, so browsers see them."""
    if is_stac_path(request.path):
        response.headers.update(CORS)
    return response


@bp.before_request
def refuse_nul() -> None:
    """Refuse NUL characters in the path or the query (PostgreSQL cannot even compare them) before any handler."""
    if "\x00" in request.path:
        raise NotFound("no such resource")
    for name, value in request.args.items(multi=True):
        if "\x00" in name or "\x00" in value:
            raise InvalidParameter(f"{name.replace(chr(0), '')}: NUL characters are not allowed")


@bp.errorhandler(StacError)
def stac_error(error: StacError) -> ResponseReturnValue:
    return answer(error.to_dict(), status=error.status)


def _pairs() -> list[tuple[str, str]]:
    return list(request.args.items(multi=True))


def _arguments() -> dict[str, str]:
    return request.args.to_dict(flat=True)


def _self_url() -> str:
    return f"{context().base_url}{request.full_path.rstrip('?')}"


@bp.get("")
@bp.get("/")
def landing() -> Response:
    return answer(handlers.landing(context()))


@bp.get("/conformance")
def conformance() -> Response:
    return answer(handlers.conformance(context()))


@bp.get("/catalogs/<mission_id>")
def mission_catalog(mission_id: str) -> Response:
    return answer(handlers.mission_catalog(context(), mission_id))


@bp.get("/collections")
def collections() -> Response:
    ctx = context()
    return answer(handlers.collections(ctx, _arguments(), Requested(_self_url(), "GET", _pairs())))


@bp.get("/collections/<dataset_id>")
def collection(dataset_id: str) -> Response:
    return answer(handlers.collection(context(), dataset_id))


@bp.get("/collections/<dataset_id>/items")
def items(dataset_id: str) -> Response:
    ctx = context()
    return answer(handlers.items(ctx, dataset_id, _arguments(), Requested(_self_url(), "GET", _pairs())), GEOJSON)


@bp.get("/collections/<dataset_id>/items/<path:item_id>")
def item(dataset_id: str, item_id: str) -> Response:
    return answer(handlers.item(context(), dataset_id, item_id), GEOJSON)


@bp.get("/search")
def search_get() -> Response:
    ctx = context()
    return answer(handlers.search(ctx, _arguments(), Requested(_self_url(), "GET", _pairs())), GEOJSON)


@bp.post("/search")
def search_post() -> Response:
    ctx = context()
    body = _json_body()
    url = f"{ctx.base_url}{request.path}"
    return answer(handlers.search(ctx, body, Requested(url, "POST", body=body)), GEOJSON)


def _json_body() -> Mapping[str, Any]:
    """The POST body as a JSON object; 415 when it is not JSON, 400 when it is malformed or not an object."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(f"a search body must be application/json, not {mimetype or 'untyped'}")
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise InvalidParameter(f"body: larger than {MAX_BODY} bytes")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise InvalidParameter(f"body: larger than {MAX_BODY} bytes")
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError) as error:
        raise InvalidParameter(f"body: not valid JSON ({error})") from None
    if not isinstance(body, dict):
        raise InvalidParameter("body: a search body is a JSON object")
    return body


@bp.get("/queryables")
def queryables() -> Response:
    return answer(handlers.queryables(context(), None), "application/schema+json")


@bp.get("/collections/<dataset_id>/queryables")
def collection_queryables(dataset_id: str) -> Response:
    return answer(handlers.queryables(context(), dataset_id), "application/schema+json")


@bp.get("/api")
def service_desc() -> Response:
    from server.stac.openapi import openapi_document

    ctx = context()
    return answer(openapi_document(ctx.urls.base, max_limit=ctx.max_limit), OPENAPI)


@bp.get("/api.html")
def service_doc() -> Response:
    from server.stac.openapi import openapi_document, service_doc_html

    ctx = context()
    html = service_doc_html(openapi_document(ctx.urls.base, max_limit=ctx.max_limit))
    return Response(html, content_type="text/html; charset=utf-8")
