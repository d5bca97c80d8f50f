"""The database's own rule that a report's segment times grow with position.

``models.segment_time_error`` states the rule (start times, where known, never go
back as positions go on) and the importer and the desk check it first, with a
readable message; the triggers here refuse whatever else writes the rows (a shell,
raw SQL, a restore), as the CheckConstraints refuse an end before its start.

Reordering writes positions in several statements (``curation.make_room`` moves a
report's segments out of the way, then each gets its final position), so the
intermediate orders must not be judged:

- PostgreSQL checks at commit, with a DEFERRABLE INITIALLY DEFERRED constraint
  trigger: each row written is compared with the report's other timed segments.
- SQLite triggers cannot wait for the commit. A segment is judged when its position
  is final, that is at most the report's number of segments, against the other
  segments whose positions are final. Positions moved out of the way (past the
  count, as make_room and the importer's ``--replace`` put them) are not judged
  until they come back; a report whose positions have gaps is judged only on the
  segments numbered within its count.
"""

from django.db import connections

_MESSAGE = "segment times must grow with position"
_SQLITE_NAMES = ("archive_segment_time_order_insert", "archive_segment_time_order_update")
_SQLITE_FINAL = "(SELECT COUNT(*) FROM archive_segment WHERE report_id = NEW.report_id)"
_SQLITE_BODY = f"""
WHEN NEW.start_seconds IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, '{_MESSAGE}')
    WHERE NEW.position <= {_SQLITE_FINAL}
    AND EXISTS (
        SELECT 1 FROM archive_segment AS other
        WHERE other.report_id = NEW.report_id AND other.id <> NEW.id
        AND other.start_seconds IS NOT NULL AND other.position <= {_SQLITE_FINAL}
        AND ((other.position < NEW.position AND other.start_seconds > NEW.start_seconds)
             OR (other.position > NEW.position AND other.start_seconds < NEW.start_seconds))
    );
END
"""
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER {_SQLITE_NAMES[0]} AFTER INSERT ON archive_segment {_SQLITE_BODY}",
    f"CREATE TRIGGER {_SQLITE_NAMES[1]} AFTER UPDATE OF position, start_seconds, report_id "
    f"ON archive_segment {_SQLITE_BODY}",
)
_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION archive_segment_time_order() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    written RECORD;
    other RECORD;
BEGIN
    -- Deferred to the commit: judge the row as it is then, not as this event wrote it.
    SELECT id, report_id, position, start_seconds INTO written
    FROM archive_segment WHERE id = NEW.id;
    IF NOT FOUND OR written.start_seconds IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT position, start_seconds INTO other FROM archive_segment
    WHERE report_id = written.report_id AND id <> written.id AND start_seconds IS NOT NULL
    AND ((position < written.position AND start_seconds > written.start_seconds)
         OR (position > written.position AND start_seconds < written.start_seconds))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '{_MESSAGE}: segment % starts at % s, segment % at % s',
            written.position, written.start_seconds, other.position, other.start_seconds
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
"""
_POSTGRES_TRIGGER = (
    "CREATE CONSTRAINT TRIGGER archive_segment_time_order "
    "AFTER INSERT OR UPDATE OF position, start_seconds, report_id ON archive_segment "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION archive_segment_time_order()"
)
MIGRATION = "0017_segment_time_order"


def install(conn):
    """Create the triggers on ``conn``; idempotent."""
    uninstall(conn)
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for statement in _SQLITE_TRIGGERS:
                cursor.execute(statement)
        elif conn.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION)
            cursor.execute(_POSTGRES_TRIGGER)


def uninstall(conn):
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for name in _SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif conn.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS archive_segment_time_order ON archive_segment")
            cursor.execute("DROP FUNCTION IF EXISTS archive_segment_time_order()")


def ensure_after_migrate(sender, using="default", **kwargs):
    """post_migrate: SQLite drops a table's triggers when a later migration rebuilds it."""
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[using]
    recorder = MigrationRecorder(conn)
    if recorder.has_table() and ("archive", MIGRATION) in recorder.applied_migrations():
        install(conn)
