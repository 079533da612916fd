"""Create the catalog: missions, datasets and granules with their visibility timelines.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _identifier(length: int) -> sa.types.TypeEngine[str]:
    """Ids sort by code point on every backend (see `catalog.store.tables.identifier`)."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _bbox() -> list[sa.Column[float]]:
    return [sa.Column(name, sa.Float) for name in ("west", "south", "east", "north")]


def upgrade() -> None:
    op.create_table(
        "missions",
        sa.Column("id", _identifier(64), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("changed", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_missions"),
    )
    op.create_table(
        "datasets",
        sa.Column("id", _identifier(128), nullable=False),
        sa.Column("source", sa.String(64), nullable=False, server_default=""),
        sa.Column("mission_id", _identifier(64)),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("doi", sa.String(255)),
        sa.Column("temporal_start", sa.BigInteger),
        sa.Column("temporal_end", sa.BigInteger),
        *_bbox(),
        sa.Column("vis0", sa.String(10), nullable=False),
        sa.Column("shift1_at", sa.BigInteger),
        sa.Column("vis1", sa.String(10)),
        sa.Column("shift2_at", sa.BigInteger),
        sa.Column("vis2", sa.String(10)),
        sa.Column("changed", sa.BigInteger, nullable=False),
        sa.Column("settled", sa.BigInteger, nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
    )
    op.create_index("ix_datasets_settled_id", "datasets", ["settled", "id"])
    op.create_index("ix_datasets_mission_id", "datasets", ["mission_id"])
    op.create_index("ix_datasets_temporal_start_temporal_end", "datasets", ["temporal_start", "temporal_end"])
    op.create_index("ix_datasets_west_east_south_north", "datasets", ["west", "east", "south", "north"])
    op.create_index("ix_datasets_vis0_shift1_at_shift2_at", "datasets", ["vis0", "shift1_at", "shift2_at"])
    op.create_table(
        "granules",
        sa.Column("dataset_id", _identifier(128), nullable=False),
        sa.Column("id", _identifier(256), nullable=False),
        sa.Column("start_time", sa.BigInteger, nullable=False),
        sa.Column("end_time", sa.BigInteger, nullable=False),
        sa.Column("acquired", sa.BigInteger, nullable=False),
        *_bbox(),
        sa.Column("vis0", sa.String(10), nullable=False),
        sa.Column("shift1_at", sa.BigInteger),
        sa.Column("vis1", sa.String(10)),
        sa.Column("changed", sa.BigInteger, nullable=False),
        sa.Column("digest", sa.String(32), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("dataset_id", "id", name="pk_granules"),
    )
    op.create_index("ix_granules_dataset_id_start_time", "granules", ["dataset_id", "start_time"])
    op.create_index("ix_granules_start_time_end_time", "granules", ["start_time", "end_time"])
    op.create_index("ix_granules_west_east_south_north", "granules", ["west", "east", "south", "north"])
    op.create_index("ix_granules_vis0_shift1_at", "granules", ["vis0", "shift1_at"])


def downgrade() -> None:
    op.drop_table("granules")
    op.drop_table("datasets")
    op.drop_table("missions")
