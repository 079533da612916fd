"""Harvest sources and runs: the OAI-PMH providers the harvester gathers from, their checkpoints, what each run did.

Harvested datasets live in `datasets` beside the archive's own, told apart by `source` (their provenance's source
name; "" for the archive's own), which 0001 created and this revision starts to fill.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _name(length: int) -> sa.String:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "harvest_sources",
        sa.Column("name", _name(32), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("sets", sa.Text, nullable=False),
        sa.Column("added", sa.BigInteger, nullable=False),
        sa.Column("granularity", sa.String(32)),
        sa.Column("harvested_from", sa.BigInteger),
        sa.Column("checkpoint", sa.Text),
        sa.PrimaryKeyConstraint("name", name="pk_harvest_sources"),
    )
    op.create_table(
        "harvest_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False, autoincrement=True),
        sa.Column("source", _name(32), nullable=False),
        sa.Column("started", sa.BigInteger, nullable=False),
        sa.Column("finished", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_harvest_runs"),
    )
    op.create_index("ix_harvest_runs_source_started", "harvest_runs", ["source", "started"])
    op.create_index("ix_datasets_source", "datasets", ["source"])


def downgrade() -> None:
    op.drop_index("ix_datasets_source", table_name="datasets")
    op.drop_index("ix_harvest_runs_source_started", table_name="harvest_runs")
    op.drop_table("harvest_runs")
    op.drop_table("harvest_sources")
