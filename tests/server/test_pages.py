"""The home page and health check, for people (HTML) and programs (JSON)."""

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from catalog.store import migrate
from server import create_app


def test_home_lists_endpoints_as_json_for_programs(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "ISAS/JAXA Science Archive Catalog"
    hrefs = {endpoint["href"] for endpoint in body["endpoints"]}
    assert {"http://catalog.test/", "http://catalog.test/health"} <= hrefs
    assert body["catalog"] == {"missions": 3, "datasets": 4}


def test_home_is_html_for_people(client: FlaskClient) -> None:
    response = client.get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<a href="http://catalog.test/health">Health</a>' in page
    assert "4 datasets" in page
    assert "ISAS/JAXA" in page


def test_home_format_parameter_overrides_accept(client: FlaskClient) -> None:
    assert client.get("/?f=json", headers={"Accept": "text/html"}).mimetype == "application/json"
    assert client.get("/?f=html", headers={"Accept": "application/json"}).mimetype == "text/html"


def test_health_reports_ok(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_reports_unmigrated_store_as_unavailable(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert "isas-catalog migrate" in response.get_json()["reason"]


def test_home_on_unreadable_store_is_503_not_500(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    response = app.test_client().get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["code"] == "StoreUnavailable"


def test_unknown_path_is_json_404_for_programs(client: FlaskClient) -> None:
    response = client.get("/no/such/thing", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["code"] == "NotFound"


def test_wrong_method_is_405(client: FlaskClient) -> None:
    assert client.post("/health").status_code == 405


def test_configuration_comes_from_prefixed_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    migrate(url)
    monkeypatch.setenv("CATALOG_DATABASE_URL", url)
    monkeypatch.setenv("CATALOG_BASE_URL", "https://catalog.example.org/")
    app = create_app()
    assert app.config["DATABASE_URL"] == url
    assert app.config["BASE_URL"] == "https://catalog.example.org"
    app.extensions["catalog.store"].dispose()


def test_default_store_is_sqlite_under_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CATALOG_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path) / 'catalog.sqlite'}"
    app.extensions["catalog.store"].dispose()
