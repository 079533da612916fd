"""Configuration defaults; each may be overridden by a `CATALOG_`-prefixed environment variable."""

DATABASE_URL: str | None = None
"""SQLAlchemy URL of the store: `sqlite:///path` or `postgresql://user@host/db`. Default: SQLite under `instance/`."""

BASE_URL = "http://127.0.0.1:8000"
"""The public URL the server is reached at, without a trailing slash: links and OAI-PMH's baseURL start with it."""

SECRET_KEY = "dev-only-secret-change-me"
"""Signs resumption tokens and paging tokens; set a long random value in production and share it across workers."""

REPOSITORY_NAME = "ISAS/JAXA Science Archive Catalog"
REPOSITORY_IDENTIFIER = "darts.isas.jaxa.jp"
"""The namespace of OAI identifiers (`oai:{REPOSITORY_IDENTIFIER}:{dataset id}`)."""

ADMIN_EMAIL = "archive-admin@darts.isas.jaxa.jp"
DATACITE_SYMBOL = "JAXA.ISAS"

OAI_PAGE_SIZE = 100
"""Records or headers per OAI-PMH response page."""

STAC_PAGE_SIZE = 10
"""Items or collections per STAC page when the request gives no `limit`."""
STAC_MAX_LIMIT = 1000
"""The largest `limit` honoured; a larger one is lowered to it (STAC API: servers may cap the page size)."""
STAC_COUNT_BUDGET_MS = 10
"""How long counting a search's `numberMatched` may take on its first page (later pages carry the count in their
token); past it the count is left out. Every millisecond here is added to first pages that cannot be counted."""
