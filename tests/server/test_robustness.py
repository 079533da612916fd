"""No request, however malformed, gets a 5xx: random paths, methods, queries and Accept headers."""

from urllib.parse import urlencode

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ACCEPT = st.one_of(
    st.sampled_from(["*/*", "application/json", "text/html", "application/json;q=abc", ";;;", "text/*;q=2", ""]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
PATH = st.one_of(
    st.sampled_from(["/", "/health", "/health/", "//", "//.", "/\x00", "/../../etc/passwd", "/\xff\xfe"]),
    st.lists(st.text(max_size=12), max_size=4).map(lambda parts: "/" + "/".join(parts)),
)
"""Raw PATH_INFO, as a WSGI server hands it over after decoding the request line (latin-1 when not ASCII)."""
QUERY = st.dictionaries(st.sampled_from(["f", "q", "x", "f[]", ""]), st.text(max_size=20), max_size=3).map(urlencode)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
    path=PATH,
    query=QUERY,
    accept=ACCEPT,
)
def test_no_request_gets_a_server_error(app: Flask, method: str, path: str, query: str, accept: str) -> None:
    raw_path = path.encode("utf-8", "surrogatepass").decode("latin-1")
    environ = {"PATH_INFO": raw_path, "QUERY_STRING": query}
    response = app.test_client().open("/", method=method, headers={"Accept": accept}, environ_overrides=environ)
    assert response.status_code < 500, (method, path, query, accept, response.get_data(as_text=True)[:200])


def test_raw_paths_reach_the_app(app: Flask) -> None:
    """The seam the property uses: a raw PATH_INFO is routed like a real request's path."""
    response = app.test_client().open("/", environ_overrides={"PATH_INFO": "/health", "QUERY_STRING": ""})
    assert response.get_json() == {"status": "ok"}
    assert app.test_client().open("/", environ_overrides={"PATH_INFO": "//."}).status_code == 404
