"""No request, however malformed, gets a 5xx: random paths, methods, queries and Accept headers."""

from urllib.parse import quote

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ACCEPT = st.one_of(
    st.sampled_from(["*/*", "application/json", "text/html", "application/json;q=abc", ";;;", "text/*;q=2", ""]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
PATH = st.one_of(
    st.sampled_from(["/", "/health", "/health/", "//", "/%00", "/..%2f..%2fetc/passwd", "/%ff%fe"]),
    st.lists(st.text(max_size=12), max_size=4).map(lambda parts: "/" + "/".join(quote(p, safe="") for p in parts)),
)
QUERY = st.dictionaries(st.sampled_from(["f", "q", "x", "f[]", ""]), st.text(max_size=20), max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]),
    path=PATH,
    query=QUERY,
    accept=ACCEPT,
)
def test_no_request_gets_a_server_error(app: Flask, method: str, path: str, query: dict[str, str], accept: str) -> None:
    response = app.test_client().open(path, method=method, query_string=query, headers={"Accept": accept})
    assert response.status_code < 500, (method, path, query, accept, response.get_data(as_text=True)[:200])
