"""Small-cell suppression for the files shared outside the programme."""

# A count under this could identify a teacher.
SMALL_CELL = 5


def suppress(value, threshold=SMALL_CELL):
    """For aggregates shared outside the programme: any count under `threshold` (0 included) is '<5'."""
    if isinstance(value, int) and not isinstance(value, bool) and value < threshold:
        return f"<{threshold}"
    return value
