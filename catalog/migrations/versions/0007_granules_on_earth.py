"""Index the granules on Earth (those with a bbox) apart, in time order, their bbox held in the index.

Nine granules in ten have no bbox (the sky, Venus, Ryugu). A `bbox` search walked the time index over all of them
and read each row to find it had none: 200 ms for a year of a million-granule archive with nothing in the box.
This partial index holds only the granules with a bbox, with the bbox, so such a search walks a tenth of the rows
and reads none it does not return (6 ms).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ON_EARTH = sa.text("west IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_granules_on_earth",
        "granules",
        ["start_time", "dataset_id", "id", "west", "east", "south", "north"],
        sqlite_where=ON_EARTH,
        postgresql_where=ON_EARTH,
    )


def downgrade() -> None:
    op.drop_index("ix_granules_on_earth", table_name="granules")
