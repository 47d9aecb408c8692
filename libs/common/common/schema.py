"""Tables every service keeps beside its own: outbox, inbox, audit trail, rule settings and
the manual platform clock. Each service's first Alembic migration creates them with
:func:`create_infrastructure_tables`."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator):
    """A point in time stored in UTC and always read back with its offset: SQLite keeps no
    zone, and a naive time must never reach the rules or the API."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a time must carry its UTC offset")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


infrastructure_metadata = sa.MetaData()

outbox_message = sa.Table(
    "outbox_message",
    infrastructure_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
)
sa.Index("ix_outbox_unsent", outbox_message.c.sent_at, outbox_message.c.id)

inbox_message = sa.Table(
    "inbox_message",
    infrastructure_metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("handler", sa.String(200), primary_key=True),
    sa.Column("handled_at", UtcDateTime(), nullable=False),
)

audit_entry = sa.Table(
    "audit_entry",
    infrastructure_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("principal_id", sa.String(64), nullable=True),
    sa.Column("portal", sa.String(16), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("entity_type", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=False),
    sa.Column("before", sa.JSON, nullable=True),
    sa.Column("after", sa.JSON, nullable=True),
)
sa.Index("ix_audit_entity", audit_entry.c.entity_type, audit_entry.c.entity_id)

rule_setting = sa.Table(
    "rule_setting",
    infrastructure_metadata,
    sa.Column("name", sa.String(100), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=True),
)

dead_letter = sa.Table(
    "dead_letter",
    infrastructure_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(50), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
)

# The answer to each command a service carried out, by the request's id: a command redelivered
# after a crash (carried out, not yet acknowledged) is answered again, never carried out twice.
rpc_request = sa.Table(
    "rpc_request",
    infrastructure_metadata,
    sa.Column("request_id", sa.String(64), primary_key=True),
    sa.Column("method", sa.String(100), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("handled_at", UtcDateTime(), nullable=False),
)

platform_clock = sa.Table(
    "platform_clock",
    infrastructure_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("now", UtcDateTime(), nullable=False),
)

_APPEND_ONLY_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_entry_is_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only();
"""

_APPEND_ONLY_TRIGGER_SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
]


def create_infrastructure_tables(op) -> None:
    """Create the shared tables inside a service's Alembic migration."""
    bind = op.get_bind()
    # The tables of the first revision only: a table added later comes with its own migration
    # in every service (see create_dead_letter_table), so a fresh database takes the same path.
    infrastructure_metadata.create_all(bind=bind, tables=[outbox_message, inbox_message, audit_entry,
                                                          rule_setting, platform_clock])
    if bind.dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_TRIGGER)
    elif bind.dialect.name == "sqlite":
        for statement in _APPEND_ONLY_TRIGGER_SQLITE:
            op.execute(statement)


def create_dead_letter_table(op) -> None:
    """For services whose first migration predates the dead-letter table."""
    dead_letter.create(bind=op.get_bind())


def create_rpc_request_table(op) -> None:
    """For services whose first migration predates the table of commands carried out."""
    rpc_request.create(bind=op.get_bind())


def create_platform_tables(op) -> None:
    """The first migration of a new service: every shared table, the later ones included."""
    create_infrastructure_tables(op)
    create_dead_letter_table(op)
    create_rpc_request_table(op)


def drop_infrastructure_tables(op) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_is_append_only()")
    infrastructure_metadata.drop_all(bind=bind)
