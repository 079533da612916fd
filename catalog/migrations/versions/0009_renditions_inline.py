"""Renditions' bodies kept in their rows, compressed with lz4 where the server has it (PostgreSQL only).

A rendition is 2 to 6 kB of XML, so PostgreSQL's default compressed it with pglz and moved it to the TOAST table:
reading a page of 100 records looked each body up in the TOAST index, fetched its chunks and decompressed them
(1.4 ms of an OAI-PMH page). `STORAGE MAIN` keeps a body in its row unless the row would not fit in a page, and lz4
decompresses several times faster than pglz for about the same size (the same page: 0.85 ms). Renditions written
before stay as they were until they are written again (`isas-catalog render --force`); SQLite keeps them in its rows
already.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _version(bind: sa.Connection) -> tuple[int | str, ...]:
    return bind.dialect.server_version_info or (0,)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE renditions ALTER COLUMN body SET STORAGE MAIN")
    if _version(bind) < (14,):
        return
    # A server built without lz4 refuses it; the savepoint keeps the rest of the migration.
    try:
        with bind.begin_nested():
            bind.execute(sa.text("ALTER TABLE renditions ALTER COLUMN body SET COMPRESSION lz4"))
    except sa.exc.DBAPIError:
        pass


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if _version(bind) >= (14,):
        op.execute("ALTER TABLE renditions ALTER COLUMN body SET COMPRESSION DEFAULT")
    op.execute("ALTER TABLE renditions ALTER COLUMN body SET STORAGE EXTENDED")
