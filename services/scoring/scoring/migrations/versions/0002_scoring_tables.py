"""The scoring service"s tables: the copy of the registry, rule sets, the ledger, project and annual
scores, the outside systems" feed with its gap-free counter, objections, bid bans, unmapped warning
rules, disposal tallies (Art. 37(1)) and partner keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import common.schema
from common.registry_copy import create_registry_copy_tables, drop_registry_copy_tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["annual_score", "bid_ban", "disposal_tally", "feed_counter", "ledger_entry", "objection", "partner_key",
          "project_score", "rule_set", "score_change", "unmapped_warning"]


def upgrade() -> None:
    create_registry_copy_tables(op)
    op.create_table("annual_score",
    sa.Column("subject_id", sa.String(length=32), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("subject_kind", sa.String(length=16), nullable=False),
    sa.Column("composite", sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column("colour", sa.String(length=8), nullable=False),
    sa.Column("projects", sa.Integer(), nullable=False),
    sa.Column("updated_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("subject_id", "year")
    )
    op.create_index(op.f("ix_annual_score_subject_kind"), "annual_score", ["subject_kind"], unique=False)
    op.create_table("bid_ban",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("subject_id", sa.String(length=32), nullable=False),
    sa.Column("subject_kind", sa.String(length=16), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column("until", sa.Date(), nullable=False),
    sa.Column("reason", sa.String(length=500), nullable=False),
    sa.Column("article", sa.String(length=32), nullable=False),
    sa.Column("source_event_id", sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("source_event_id")
    )
    op.create_index(op.f("ix_bid_ban_subject_id"), "bid_ban", ["subject_id"], unique=False)
    op.create_table("disposal_tally",
    sa.Column("unit_id", sa.String(length=32), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("on_time", sa.Integer(), nullable=False),
    sa.Column("late", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("unit_id", "year")
    )
    op.create_table("feed_counter",
    sa.Column("name", sa.String(length=16), nullable=False),
    sa.Column("last", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("name")
    )
    op.create_table("ledger_entry",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("subject_id", sa.String(length=32), nullable=False),
    sa.Column("subject_kind", sa.String(length=16), nullable=False),
    sa.Column("project_id", sa.String(length=32), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("points", sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column("conduct", sa.String(length=40), nullable=False),
    sa.Column("article", sa.String(length=32), nullable=False),
    sa.Column("rule_id", sa.String(length=64), nullable=True),
    sa.Column("rule_set_id", sa.String(length=32), nullable=False),
    sa.Column("rule_set_version", sa.Integer(), nullable=False),
    sa.Column("source_type", sa.String(length=24), nullable=False),
    sa.Column("source_event_id", sa.String(length=40), nullable=False),
    sa.Column("evidence", sa.JSON(none_as_null=True), nullable=False),
    sa.Column("capped", sa.Boolean(), nullable=False),
    sa.Column("restores_entry_id", sa.String(length=32), nullable=True),
    sa.Column("occurred_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("source_event_id", "subject_id", "conduct", name="uq_ledger_entry_source")
    )
    op.create_index(op.f("ix_ledger_entry_project_id"), "ledger_entry", ["project_id"], unique=False)
    op.create_index("ix_ledger_entry_subject_year", "ledger_entry", ["subject_id", "year", "project_id"], unique=False)
    op.create_table("objection",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("entry_id", sa.String(length=32), nullable=False),
    sa.Column("subject_id", sa.String(length=32), nullable=False),
    sa.Column("project_id", sa.String(length=32), nullable=False),
    sa.Column("industry", sa.String(length=32), nullable=False),
    sa.Column("filed_by", sa.String(length=32), nullable=False),
    sa.Column("reasons", sa.Text(), nullable=False),
    sa.Column("file_ids", sa.JSON(none_as_null=True), nullable=False),
    sa.Column("filed_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("decided_by", sa.String(length=32), nullable=True),
    sa.Column("decided_at", common.schema.UtcDateTime(timezone=True), nullable=True),
    sa.Column("decision_note", sa.Text(), nullable=True),
    sa.Column("restoration_entry_id", sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("entry_id")
    )
    op.create_index(op.f("ix_objection_industry"), "objection", ["industry"], unique=False)
    op.create_index(op.f("ix_objection_subject_id"), "objection", ["subject_id"], unique=False)
    op.create_table("partner_key",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("system", sa.String(length=16), nullable=False),
    sa.Column("key_hash", sa.String(length=64), nullable=False),
    sa.Column("prefix", sa.String(length=12), nullable=False),
    sa.Column("created_by", sa.String(length=32), nullable=False),
    sa.Column("created_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column("revoked_by", sa.String(length=32), nullable=True),
    sa.Column("revoked_at", common.schema.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("key_hash")
    )
    op.create_table("project_score",
    sa.Column("subject_id", sa.String(length=32), nullable=False),
    sa.Column("project_id", sa.String(length=32), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("subject_kind", sa.String(length=16), nullable=False),
    sa.Column("score", sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column("updated_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("subject_id", "project_id", "year")
    )
    op.create_table("rule_set",
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("industry", sa.String(length=32), nullable=False),
    sa.Column("authority_id", sa.String(length=32), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("effective_from", sa.Date(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("body", sa.JSON(none_as_null=True), nullable=False),
    sa.Column("note", sa.String(length=500), nullable=False),
    sa.Column("created_by", sa.String(length=32), nullable=False),
    sa.Column("created_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.String(length=32), nullable=True),
    sa.Column("published_at", common.schema.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("industry", "version")
    )
    op.create_index(op.f("ix_rule_set_industry"), "rule_set", ["industry"], unique=False)
    op.create_table("score_change",
    sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column("routing_key", sa.String(length=64), nullable=False),
    sa.Column("subject_id", sa.String(length=32), nullable=False),
    sa.Column("payload", sa.JSON(none_as_null=True), nullable=False),
    sa.Column("occurred_at", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column("published_at", common.schema.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("sequence")
    )
    op.create_index(op.f("ix_score_change_published_at"), "score_change", ["published_at"], unique=False)
    op.create_index(op.f("ix_score_change_subject_id"), "score_change", ["subject_id"], unique=False)
    op.create_table("unmapped_warning",
    sa.Column("rule_id", sa.String(length=64), nullable=False),
    sa.Column("industry", sa.String(length=32), nullable=False),
    sa.Column("article", sa.String(length=32), nullable=False),
    sa.Column("occurrences", sa.Integer(), nullable=False),
    sa.Column("last_warning_id", sa.String(length=32), nullable=False),
    sa.Column("first_seen", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.Column("last_seen", common.schema.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("rule_id", "industry")
    )
    op.bulk_insert(sa.table("feed_counter", sa.column("name", sa.String), sa.column("last", sa.BigInteger)),
                   [{"name": "scores", "last": 0}])


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
    drop_registry_copy_tables(op)
