"""Finding datasets: the search and browse page with facets, `sitemap.xml` and `robots.txt` (issue 7)."""

from flask import Blueprint, Flask

bp = Blueprint("finding", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
