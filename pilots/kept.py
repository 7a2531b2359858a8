"""Reads a process keeps for a moment: rows every registration POST reads and staff rarely change
(the cohort by its code, the provinces and subjects, the privacy notice's version). Kept for
`seconds` (one by default) after they are read, they cost one query a second per process instead of
one per request; a change is seen within that time. Nothing a seat decision reads is kept: the
cohort is locked and read again for that.
"""

import time

# Past this many keys a Kept forgets them all: keys come from URLs (cohort codes), and a run of
# unknown ones must not grow a process's memory (misses are not kept anyway).
MAX_KEYS = 10_000


class Kept:
    """`read(*key)`, kept per key for `seconds`; a None answer (not found) is never kept."""

    every: list["Kept"] = []

    def __init__(self, read, seconds: float = 1.0):
        self.read, self.seconds, self._values = read, seconds, {}
        Kept.every.append(self)

    def __call__(self, *key):
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = self.read(*key)
        if value is not None:
            if len(self._values) >= MAX_KEYS:
                self._values.clear()
            self._values[key] = (now, value)
        return value

    def forget(self) -> None:
        self._values.clear()


def forget_all() -> None:
    """Drop everything every Kept holds in this process (the tests, between two of them)."""
    for kept in Kept.every:
        kept.forget()
