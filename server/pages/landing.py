"""Dataset landing pages: HTML for people, JSON-LD and Signposting for machines, content negotiation like a DOI
resolver, tombstones for discarded data (issue 7)."""

from flask import Blueprint, Flask

bp = Blueprint("landing", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
