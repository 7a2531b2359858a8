"""What a process keeps for a second (pilots.kept): read once, read again after the second, misses
never kept, and the number of keys bounded."""

from pilots import kept
from pilots.kept import Kept


def _counting():
    reads = []

    def read(key):
        reads.append(key)
        return None if key == "missing" else f"row {key}"

    return reads, read


def test_a_value_is_read_once_within_its_second_and_again_after(monkeypatch):
    reads, read = _counting()
    clock = [100.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock[0])
    rows = Kept(read)
    assert [rows("a"), rows("a")] == ["row a", "row a"]
    clock[0] += 0.9
    assert rows("a") == "row a" and reads == ["a"]
    clock[0] += 0.2
    assert rows("a") == "row a" and reads == ["a", "a"]


def test_a_miss_is_never_kept():
    reads, read = _counting()
    rows = Kept(read)
    assert rows("missing") is None and rows("missing") is None
    assert reads == ["missing", "missing"]  # a row created meanwhile is found at once


def test_unknown_keys_do_not_grow_it_past_its_bound(monkeypatch):
    monkeypatch.setattr(kept, "MAX_KEYS", 3)
    rows = Kept(lambda key: key)
    for key in range(10):
        rows(key)
    assert len(rows._values) <= 3


def test_forget_all_empties_every_kept():
    reads, read = _counting()
    rows = Kept(read)
    rows("a")
    kept.forget_all()
    rows("a")
    assert reads == ["a", "a"]
