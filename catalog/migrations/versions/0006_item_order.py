"""Index granules in the orders item searches page by, each ending with collection and id (the keyset's tail).

`(start_time, dataset_id, id)` serves searches over every collection newest or oldest first, `(dataset_id,
start_time, id)` one collection's items in time order: a keyset page then walks an index from its key, so the
thousandth page costs what the first does. They replace the two shorter indexes that led with the same columns.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_granules_dataset_id_start_time", table_name="granules")
    op.drop_index("ix_granules_start_time_end_time", table_name="granules")
    op.create_index("ix_granules_start_time_dataset_id_id", "granules", ["start_time", "dataset_id", "id"])
    op.create_index("ix_granules_dataset_id_start_time_id", "granules", ["dataset_id", "start_time", "id"])


def downgrade() -> None:
    op.drop_index("ix_granules_dataset_id_start_time_id", table_name="granules")
    op.drop_index("ix_granules_start_time_dataset_id_id", table_name="granules")
    op.create_index("ix_granules_start_time_end_time", "granules", ["start_time", "end_time"])
    op.create_index("ix_granules_dataset_id_start_time", "granules", ["dataset_id", "start_time"])
