"""Cases and their steps, the units each went through, complaints and their complainants (apart,
encrypted), the deadlines of the steps and the copy of the registry.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

from common.deadline_engine import create_deadline_tables, drop_deadline_tables
from common.registry_copy import create_registry_copy_tables, drop_registry_copy_tables
from common.schema import UtcDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_registry_copy_tables(op)
    create_deadline_tables(op)
    op.create_table('case_file',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('discipline', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=True),
    sa.Column('industry', sa.String(length=32), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('warning_id', sa.String(length=64), nullable=True),
    sa.Column('warning_source', sa.String(length=16), nullable=True),
    sa.Column('rule_id', sa.String(length=80), nullable=True),
    sa.Column('article', sa.String(length=40), nullable=True),
    sa.Column('subject_unit_id', sa.String(length=32), nullable=True),
    sa.Column('subject_person_id', sa.String(length=32), nullable=True),
    sa.Column('holder_unit_id', sa.String(length=32), nullable=True),
    sa.Column('dispatcher_unit_id', sa.String(length=32), nullable=True),
    sa.Column('due_at', UtcDateTime(), nullable=True),
    sa.Column('opened_at', UtcDateTime(), nullable=False),
    sa.Column('closed_at', UtcDateTime(), nullable=True),
    sa.Column('finding', sa.String(length=16), nullable=True),
    sa.Column('responsible_unit_id', sa.String(length=32), nullable=True),
    sa.Column('responsible_person_id', sa.String(length=32), nullable=True),
    sa.Column('complaint_count', sa.Integer(), nullable=False),
    sa.Column('opened_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('warning_id')
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_holder_unit_id'), ['holder_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_industry'), ['industry'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_file_subject_unit_id'), ['subject_unit_id'], unique=False)
        batch_op.create_index('ix_case_project_category', ['project_id', 'category', 'opened_at'], unique=False)
        batch_op.create_index('ix_case_status_opened', ['status', 'opened_at'], unique=False)

    op.create_table('case_step',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('at', UtcDateTime(), nullable=False),
    sa.Column('by_user_id', sa.String(length=32), nullable=True),
    sa.Column('acting_unit_id', sa.String(length=32), nullable=True),
    sa.Column('to_unit_id', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('file_ids', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('public_reply', sa.Text(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('seconds_taken', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_step_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_step_unit_at', ['acting_unit_id', 'at'], unique=False)

    op.create_table('case_unit',
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.PrimaryKeyConstraint('case_id', 'unit_id')
    )
    with op.batch_alter_table('case_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_unit_unit_id'), ['unit_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo_file_ids', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('media_url', sa.String(length=500), nullable=True),
    sa.Column('project_id', sa.String(length=32), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('filed_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tracking_hash')
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_complaint_client_at', ['client_key', 'filed_at'], unique=False)

    op.create_table('complainant',
    sa.Column('complaint_id', sa.String(length=32), nullable=False),
    sa.Column('name_encrypted', sa.Text(), nullable=True),
    sa.Column('phone_encrypted', sa.Text(), nullable=True),
    sa.Column('zlb_user_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.PrimaryKeyConstraint('complaint_id')
    )


def downgrade() -> None:
    drop_deadline_tables(op)
    drop_registry_copy_tables(op)
    op.drop_table('complainant')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_client_at')
        batch_op.drop_index(batch_op.f('ix_complaint_case_id'))

    op.drop_table('complaint')
    with op.batch_alter_table('case_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_unit_unit_id'))

    op.drop_table('case_unit')
    with op.batch_alter_table('case_step', schema=None) as batch_op:
        batch_op.drop_index('ix_case_step_unit_at')
        batch_op.drop_index(batch_op.f('ix_case_step_case_id'))

    op.drop_table('case_step')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_opened')
        batch_op.drop_index('ix_case_project_category')
        batch_op.drop_index(batch_op.f('ix_case_file_subject_unit_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_rule_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_project_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_kind'))
        batch_op.drop_index(batch_op.f('ix_case_file_industry'))
        batch_op.drop_index(batch_op.f('ix_case_file_holder_unit_id'))
        batch_op.drop_index(batch_op.f('ix_case_file_due_at'))
        batch_op.drop_index(batch_op.f('ix_case_file_category'))

    op.drop_table('case_file')
