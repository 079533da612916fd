"""Add the static OAI-PMH set memberships of datasets.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _identifier(length: int) -> sa.types.TypeEngine[str]:
    """Ids sort by code point on every backend (see `catalog.store.tables.identifier`)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "dataset_sets",
        sa.Column("set_spec", _identifier(200), nullable=False),
        sa.Column("dataset_id", _identifier(128), nullable=False),
        sa.PrimaryKeyConstraint("set_spec", "dataset_id", name="pk_dataset_sets"),
    )
    op.create_index("ix_dataset_sets_dataset_id", "dataset_sets", ["dataset_id"])


def downgrade() -> None:
    op.drop_index("ix_dataset_sets_dataset_id", table_name="dataset_sets")
    op.drop_table("dataset_sets")
