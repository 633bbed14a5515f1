"""What the core's post_migrate handlers (triggers, counts) share."""


def sent_by_flush(signal_kwargs: dict) -> bool:
    """True for the post_migrate signal that ``flush`` sends: it empties tables and changes no schema, so the triggers
    the last migrate installed are all still there. A migrate's signal carries its ``plan``; a direct call carries
    no ``signal``."""
    return "signal" in signal_kwargs and "plan" not in signal_kwargs


def drop_triggers(connection, prefix: str) -> None:
    """Drop every trigger (on PostgreSQL, every function, with the triggers calling it) named ``prefix``_…."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT proname FROM pg_proc WHERE proname LIKE %s AND pronamespace = 'public'::regnamespace",
                [f"{prefix}\\_%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{prefix}_%"])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
