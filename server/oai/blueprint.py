"""The `/oai` endpoint: parse the request, answer it with the handlers, stream the XML (gzip when asked)."""

import zlib
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app, request

from server import now_of, render_context_of, store_of
from server.oai.handlers import Answer, Repository, handle
from server.oai.protocol import OAIError, OAIRequest, parse_request, request_attributes
from server.oai.render import stream_response
from server.oai.tokens import Tokens

bp = Blueprint("oai", __name__)


def init_app(app: Flask) -> None:
    from server.pages import Endpoint

    app.extensions["catalog.oai.tokens"] = Tokens(str(app.config["SECRET_KEY"]), clock=lambda: now_of(app))
    app.extensions["catalog.endpoints"].append(
        Endpoint("OAI-PMH", "/oai?verb=Identify", "OAI-PMH 2.0 data provider: oai_dc, oai_datacite and datacite.")
    )
    app.register_blueprint(bp)


def repository() -> Repository:
    config = current_app.config
    return Repository(
        store=store_of(current_app),
        now=now_of(current_app),
        base_url=f"{config['BASE_URL']}/oai",
        context=render_context_of(current_app),
        name=config["REPOSITORY_NAME"],
        identifier=config["REPOSITORY_IDENTIFIER"],
        admin_email=config["ADMIN_EMAIL"],
        page_size=int(config["OAI_PAGE_SIZE"]),
        tokens=current_app.extensions["catalog.oai.tokens"],
    )


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    """Answer every OAI-PMH request with HTTP 200; protocol errors are `<error>` elements (spec 3.6)."""
    repo = repository()
    arguments = (request.form if request.method == "POST" else request.args).to_dict(flat=False)
    parsed: OAIRequest | None = None
    answer: Answer | None = None
    error: OAIError | None = None
    try:
        parsed = parse_request(arguments)
        answer = handle(parsed, repo)
    except OAIError as raised:
        error = raised
    body = stream_response(
        response_date=repo.now,
        base_url=repo.base_url,
        request_attributes=request_attributes(parsed, error),
        verb=answer.verb if answer is not None else None,
        body=answer.body if answer is not None else (),
        error=error,
    )
    response = Response(body, mimetype="text/xml")
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"]:
        response.response = _gzip(body)
        response.headers["Content-Encoding"] = "gzip"
    return response


def _gzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(wbits=31)
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()
