"""The attendance service's tables: the copy of the registry, check-ins, devices, leave,
patrols, phases, non-working days, warnings; and the shared infrastructure tables.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from common.schema import UtcDateTime, create_infrastructure_tables, drop_infrastructure_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_infrastructure_tables(op)
    op.create_table('attendance_phase',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('post', sa.String(length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('set_by', sa.String(length=32), nullable=True),
    sa.Column('set_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_attendance_phase_project_id'), 'attendance_phase', ['project_id'], unique=False)
    op.create_table('checkin',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('client_request_id', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.Column('local_day', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('flags', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lng', sa.Double(), nullable=True),
    sa.Column('accuracy_m', sa.Double(), nullable=True),
    sa.Column('device_id', sa.String(length=128), nullable=False),
    sa.Column('client_time', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'client_request_id')
    )
    op.create_index('ix_checkin_day', 'checkin', ['project_id', 'person_id', 'local_day'], unique=False)
    op.create_index('ix_checkin_device', 'checkin', ['device_id', 'recorded_at'], unique=False)
    op.create_index('ix_checkin_person_time', 'checkin', ['person_id', 'recorded_at'], unique=False)
    op.create_table('device_binding',
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('device_id', sa.String(length=128), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('bound_at', UtcDateTime(), nullable=False),
    sa.Column('approved_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_index(op.f('ix_device_binding_device_id'), 'device_binding', ['device_id'], unique=False)
    op.create_table('evaluation_mark',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('through', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('leave_request',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('document_file_ids', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_at', UtcDateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', UtcDateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('approval_file_ids', sa.JSON(none_as_null=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_leave_request_person_id'), 'leave_request', ['person_id'], unique=False)
    op.create_index(op.f('ix_leave_request_project_id'), 'leave_request', ['project_id'], unique=False)
    op.create_table('non_working_day',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('declared_by', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('project_id', 'day')
    )
    op.create_table('participant_copy',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('project_id', 'unit_id', 'role')
    )
    op.create_table('patrol',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('started_at', UtcDateTime(), nullable=True),
    sa.Column('ended_at', UtcDateTime(), nullable=True),
    sa.Column('duration_minutes', sa.Double(), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('points', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('recorded_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_patrol_project_id'), 'patrol', ['project_id'], unique=False)
    op.create_table('position_view',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('viewer_id', sa.String(length=32), nullable=True),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('viewed_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('project_copy',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('industry', sa.String(length=32), nullable=False),
    sa.Column('below_threshold', sa.Boolean(), nullable=False),
    sa.Column('geofence', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('construction_started_on', sa.Date(), nullable=True),
    sa.Column('supervising_unit_id', sa.String(length=32), nullable=True),
    sa.Column('line_id', sa.String(length=32), nullable=True),
    sa.Column('owner_id', sa.String(length=32), nullable=True),
    sa.Column('owner_project_lead_id', sa.String(length=32), nullable=True),
    sa.Column('spoofing_policy', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('raised_warning',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('warning_id', sa.String(length=32), nullable=False),
    sa.Column('rule_id', sa.String(length=60), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=True),
    sa.Column('raised_at', UtcDateTime(), nullable=False),
    sa.Column('detail', sa.JSON(none_as_null=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_raised_warning_project_id'), 'raised_warning', ['project_id'], unique=False)
    op.create_table('roster_entry',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.String(length=32), nullable=False),
    sa.Column('firm_id', sa.String(length=32), nullable=False),
    sa.Column('post', sa.String(length=32), nullable=False),
    sa.Column('assigned_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'person_id', 'post')
    )
    op.create_index(op.f('ix_roster_entry_person_id'), 'roster_entry', ['person_id'], unique=False)
    op.create_index(op.f('ix_roster_entry_project_id'), 'roster_entry', ['project_id'], unique=False)
    op.create_table('suspension_copy',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('since', UtcDateTime(), nullable=False),
    sa.Column('until', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_suspension_copy_project_id'), 'suspension_copy', ['project_id'], unique=False)
    op.create_table('unit_copy',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.String(length=32), nullable=True),
    sa.Column('industry', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('user_post_copy',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('unit_id', sa.String(length=32), nullable=False),
    sa.Column('post', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', 'post')
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table('user_post_copy')
    op.drop_table('unit_copy')
    op.drop_index(op.f('ix_suspension_copy_project_id'), table_name='suspension_copy')
    op.drop_table('suspension_copy')
    op.drop_index(op.f('ix_roster_entry_project_id'), table_name='roster_entry')
    op.drop_index(op.f('ix_roster_entry_person_id'), table_name='roster_entry')
    op.drop_table('roster_entry')
    op.drop_index(op.f('ix_raised_warning_project_id'), table_name='raised_warning')
    op.drop_table('raised_warning')
    op.drop_table('project_copy')
    op.drop_table('position_view')
    op.drop_index(op.f('ix_patrol_project_id'), table_name='patrol')
    op.drop_table('patrol')
    op.drop_table('participant_copy')
    op.drop_table('non_working_day')
    op.drop_index(op.f('ix_leave_request_project_id'), table_name='leave_request')
    op.drop_index(op.f('ix_leave_request_person_id'), table_name='leave_request')
    op.drop_table('leave_request')
    op.drop_table('evaluation_mark')
    op.drop_index(op.f('ix_device_binding_device_id'), table_name='device_binding')
    op.drop_table('device_binding')
    op.drop_index('ix_checkin_person_time', table_name='checkin')
    op.drop_index('ix_checkin_device', table_name='checkin')
    op.drop_index('ix_checkin_day', table_name='checkin')
    op.drop_table('checkin')
    op.drop_index(op.f('ix_attendance_phase_project_id'), table_name='attendance_phase')
    op.drop_table('attendance_phase')
    # ### end Alembic commands ###
    drop_infrastructure_tables(op)
