"""The Flask application: `create_app` wires configuration, the store and the blueprints."""

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask

from catalog.store import Store, open_store
from catalog.timeutil import utcnow
from crosswalks.renditions import RenderContext


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults from `server.config`, then `CATALOG_*` environment variables, then `test_config`."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object("server.config")
    app.config.from_prefixed_env("CATALOG")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_database_url(Path(app.instance_path))
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")
    app.extensions["catalog.store"] = open_store(app.config["DATABASE_URL"])
    app.extensions["catalog.clock"] = app.config.get("CLOCK", utcnow)
    app.extensions["catalog.render_context"] = RenderContext(
        repository_identifier=str(app.config["REPOSITORY_IDENTIFIER"]),
        datacite_symbol=str(app.config["DATACITE_SYMBOL"]),
        landing_base=f"{app.config['BASE_URL']}/datasets/",
    )

    from server import pages
    from server.oai import blueprint as oai
    from server.stac import blueprint as stac

    pages.init_app(app)
    oai.init_app(app)
    stac.init_app(app)
    return app


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'catalog.sqlite'}"


def store_of(app: Flask) -> Store:
    store: Store = app.extensions["catalog.store"]
    return store


def render_context_of(app: Flask) -> RenderContext:
    """What the app's metadata renditions depend on besides the datasets (`crosswalks.renditions`)."""
    context: RenderContext = app.extensions["catalog.render_context"]
    return context


def now_of(app: Flask) -> datetime:
    """The request's moment: what the policy is judged at. Tests set `CLOCK` to travel in time."""
    clock: Callable[[], datetime] = app.extensions["catalog.clock"]
    return clock()
