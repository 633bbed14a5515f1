"""What the core's post_migrate handlers (triggers, counts) share."""


def sent_by_flush(signal_kwargs: dict) -> bool:
    """True for the post_migrate signal that ``flush`` sends: it empties tables and changes no schema, so the triggers
    the last migrate installed are all still there. A migrate's signal carries its ``plan``; a direct call carries
    no ``signal``."""
    return "signal" in signal_kwargs and "plan" not in signal_kwargs
