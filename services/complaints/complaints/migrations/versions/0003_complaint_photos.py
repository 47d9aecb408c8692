"""The complaint window's photos: uploaded by the public before the complaint they go with, kept
by their SHA-256 in the gateway's file store, attached to one complaint of the same client. A
complaint's photos are these rows (``complaint_photo.complaint_id``), not a list on the complaint.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

from common.schema import UtcDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_photo',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('received_at', UtcDateTime(), nullable=False),
    sa.Column('complaint_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaint_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_photo_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index('ix_complaint_photo_client_at', ['client_key', 'received_at'], unique=False)
    # The window took ids of the workflow's files, which the public could never upload: none is kept.
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_column('photo_file_ids')


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_file_ids', sa.JSON(none_as_null=True), nullable=False,
                                      server_default='[]'))
    with op.batch_alter_table('complaint_photo', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_photo_client_at')
        batch_op.drop_index(batch_op.f('ix_complaint_photo_complaint_id'))
    op.drop_table('complaint_photo')
