"""Add the normalised text that dataset search matches, and fill it for the datasets already stored.

Revision ID: 0003
Revises: 0002

The text is computed here from each stored `doc` as `catalog.store.search.search_text_of` computes it when a
dataset is written, with its own copy of the rule so that this migration keeps meaning what it meant when the
code moves on; a test checks that both agree.
"""

import json
import unicodedata
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 500


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _languages(value: str | Mapping[str, str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [value[language] for language in sorted(value)]


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def search_text(doc: Mapping[str, Any]) -> str:
    """The search text of a dataset's contract-v1 document (as `catalog.store.search.search_text_of`)."""
    fields = [
        doc["id"],
        *_languages(doc.get("title")),
        *_languages(doc.get("description")),
        *_strings(doc.get("keywords")),
        *_strings(doc.get("instruments")),
        *_strings(doc.get("targets")),
        doc.get("mission") or "",
        doc.get("doi") or "",
    ]
    return "\n".join(_normalise(" ".join(field.split())) for field in fields if field)


def upgrade() -> None:
    op.add_column("datasets", sa.Column("search_text", sa.Text(), nullable=True))
    table = sa.table("datasets", sa.column("id", sa.String()), sa.column("doc", sa.Text()), sa.column("search_text"))
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.doc).where(table.c.id > after).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            table.update().where(table.c.id == sa.bindparam("b_id")).values(search_text=sa.bindparam("b_text")),
            [{"b_id": row.id, "b_text": search_text(json.loads(row.doc))} for row in rows],
        )
        after = rows[-1].id
    with op.batch_alter_table("datasets") as batch:
        batch.alter_column("search_text", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("search_text")
