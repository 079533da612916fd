"""Index the visibility a dataset settles at, with `settled` and the DOI, so that counting a list reads one index.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_datasets_settled_visibility",
        "datasets",
        [
            sa.func.coalesce(sa.column("vis2"), sa.column("vis1"), sa.column("vis0")),
            sa.column("settled"),
            sa.column("doi"),
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_datasets_settled_visibility", table_name="datasets")
