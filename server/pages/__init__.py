"""Pages for people and programs: the home page that lists the endpoints, and the health check."""

from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from catalog.store import StoreError
from server import now_of, store_of
from server.pages.language import page_language, switch_url

bp = Blueprint("pages", __name__, template_folder="templates")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A public endpoint, listed on the home page."""

    name: str
    path: str
    description: str


def init_app(app: Flask) -> None:
    app.extensions.setdefault("catalog.endpoints", []).extend(
        [
            Endpoint("Home", "/", "What the server offers; JSON with Accept: application/json, or ?f=json."),
            Endpoint("Health", "/health", "Whether the server can read its store (200 or 503, JSON)."),
        ]
    )
    app.register_blueprint(bp)
    app.context_processor(lambda: {"lang": page_language(), "switch_url": switch_url})

    from server.pages import finding, landing

    landing.init_app(app)
    finding.init_app(app)
    app.register_error_handler(StoreError, store_unavailable)
    app.register_error_handler(HTTPException, http_error)


def wants_json() -> bool:
    """Whether the client asks for JSON (`Accept: application/json`, or `?f=json`) rather than HTML."""
    if request.args.get("f") in ("json", "html"):
        return request.args["f"] == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@bp.get("/")
def home() -> ResponseReturnValue:
    endpoints: list[Endpoint] = current_app.extensions["catalog.endpoints"]
    base = current_app.config["BASE_URL"]
    stats = store_of(current_app).stats(now_of(current_app), granules=False)
    visible = {"datasets": stats.datasets["public"] + stats.datasets["restricted"]}
    if wants_json():
        return jsonify(
            name=current_app.config["REPOSITORY_NAME"],
            endpoints=[{"name": e.name, "href": base + e.path, "description": e.description} for e in endpoints],
            catalog={"missions": stats.missions, **visible},
        )
    return render_template("home.html", endpoints=endpoints, base=base, stats=stats, visible=visible)


@bp.get("/health")
def health() -> ResponseReturnValue:
    try:
        store_of(current_app).check()
    except StoreError as error:
        return jsonify(status="unavailable", reason=str(error)), 503
    return jsonify(status="ok")


def store_unavailable(error: StoreError) -> ResponseReturnValue:
    """The store cannot answer: say so (503) instead of failing with a bare 500."""
    current_app.logger.error("store unavailable: %s", error)
    return jsonify(code="StoreUnavailable", description="the catalog's store is unavailable; try again later"), 503


def http_error(error: HTTPException) -> ResponseReturnValue:
    """HTTP errors as JSON for programs, as Flask's HTML page for people."""
    if wants_json():
        return jsonify(code=error.name.replace(" ", ""), description=error.description), error.code or 500
    return error
