"""Add renditions: datasets' metadata serialised ahead, per format and stretch of unchanged visibility; index the
datestamps of datasets with a shift ahead, so that every branch of a keyset page walks an index.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _identifier(length: int) -> sa.types.TypeEngine[str]:
    """Ids sort by code point on every backend (see `catalog.store.tables.identifier`)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "renditions",
        sa.Column("dataset_id", _identifier(128), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        sa.Column("until", sa.BigInteger()),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("changed", sa.BigInteger(), nullable=False),
        sa.Column("context", sa.String(64), nullable=False),
        sa.Column("related", sa.Text()),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", "prefix", "since", name="pk_renditions"),
    )
    op.create_index("ix_datasets_changed_id", "datasets", ["changed", "id"])
    op.create_index("ix_datasets_shift1_at_id", "datasets", ["shift1_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_datasets_shift1_at_id", table_name="datasets")
    op.drop_index("ix_datasets_changed_id", table_name="datasets")
    op.drop_table("renditions")
