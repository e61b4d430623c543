"""DocumentStore contract: the in-memory fake and FirestoreStore on the official
emulator must behave the same (GIVEN/WHEN/THEN in each test)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared.fakes.memory_store import MemoryStore
from shared.ports import Conflict, DocumentStore, Filter, Transaction


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Iterator[DocumentStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    from shared.adapters.firestore_store import FirestoreStore

    yield FirestoreStore(project=request.getfixturevalue("firestore_project"))


def ids(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [path for path, _ in rows]


# ------------------------------------------------------------------ single documents
def test_get_missing_is_none(store: DocumentStore) -> None:
    assert store.get("users/nobody") is None


def test_set_then_get_round_trips_values(store: DocumentStore) -> None:
    data = {
        "s": "藥物 лекарство",
        "i": 7,
        "f": 1.5,
        "b": True,
        "n": None,
        "raw": b"\x00\xff",
        "list": [1, "two", {"three": 3}],
        "map": {"deep": {"er": [1, 2]}},
    }
    store.set("users/u1", data)
    assert store.get("users/u1") == data


def test_tuples_come_back_as_lists(store: DocumentStore) -> None:
    store.set("users/u1", {"t": (1, 2)})
    assert store.get("users/u1") == {"t": [1, 2]}


def test_returned_documents_are_copies(store: DocumentStore) -> None:
    store.set("users/u1", {"m": {"a": 1}})
    got = store.get("users/u1")
    assert got is not None
    got["m"]["a"] = 99
    assert store.get("users/u1") == {"m": {"a": 1}}


def test_create_only_once(store: DocumentStore) -> None:
    assert store.create("keys/k1", {"v": 1}) is True
    assert store.create("keys/k1", {"v": 2}) is False
    assert store.get("keys/k1") == {"v": 1}


def test_set_without_merge_replaces_the_document(store: DocumentStore) -> None:
    store.set("users/u1", {"a": 1, "b": 2})
    store.set("users/u1", {"c": 3})
    assert store.get("users/u1") == {"c": 3}


def test_merge_is_field_by_field_at_every_depth(store: DocumentStore) -> None:
    store.set("users/u1", {"a": {"x": 1, "y": {"z": 2}}, "b": 1})
    store.set("users/u1", {"a": {"y": {"w": 3}}, "c": 2}, merge=True)
    assert store.get("users/u1") == {"a": {"x": 1, "y": {"z": 2, "w": 3}}, "b": 1, "c": 2}


def test_merge_with_empty_map_replaces_the_field(store: DocumentStore) -> None:
    store.set("users/u1", {"a": {"x": 1}, "b": 1})
    store.set("users/u1", {"a": {}}, merge=True)
    assert store.get("users/u1") == {"a": {}, "b": 1}


def test_merge_creates_a_missing_document(store: DocumentStore) -> None:
    store.set("users/new", {"a": {"x": 1}}, merge=True)
    assert store.get("users/new") == {"a": {"x": 1}}


def test_delete_and_delete_missing(store: DocumentStore) -> None:
    store.set("users/u1", {"a": 1})
    store.delete("users/u1")
    store.delete("users/u1")  # no error: deleting is idempotent
    assert store.get("users/u1") is None


def test_subcollection_documents(store: DocumentStore) -> None:
    store.set("users/u1/meds/m1", {"name": "aspirin"})
    assert store.get("users/u1/meds/m1") == {"name": "aspirin"}
    assert store.get("users/u1") is None  # a parent need not exist


@pytest.mark.parametrize("path", ["users", "users/", "/users/u1", "a//b", "a/b/c"])
def test_bad_paths_are_refused(store: DocumentStore, path: str) -> None:
    with pytest.raises(ValueError):
        store.get(path)


# ------------------------------------------------------------------ datetimes
def test_datetimes_come_back_aware_utc(store: DocumentStore) -> None:
    taipei = timezone(timedelta(hours=8))
    sent = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=taipei)
    store.set("doses/d1", {"at": sent, "nested": {"at": sent}, "list": [sent]})
    got = store.get("doses/d1")
    assert got is not None
    for value in (got["at"], got["nested"]["at"], got["list"][0]):
        assert value == sent  # same instant, microseconds kept
        assert value.utcoffset() == timedelta(0)
        assert value.tzinfo is not None
        assert type(value) is datetime
    assert got["at"].hour == 1  # 09:30 in Taipei is 01:30 UTC


def test_naive_datetimes_are_taken_as_utc(store: DocumentStore) -> None:
    store.set("doses/d1", {"at": datetime(2025, 3, 1, 9, 30)})
    got = store.get("doses/d1")
    assert got == {"at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC)}


def test_range_query_on_datetimes(store: DocumentStore) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    for i, minutes in enumerate([-10, -1, 0, 1, 10]):
        store.set(f"doses/d{i}", {"due": now + timedelta(minutes=minutes)})
    rows = store.query("doses", [Filter("due", "<=", now)], order_by="due")
    assert ids(rows) == ["doses/d0", "doses/d1", "doses/d2"]


# ------------------------------------------------------------------ queries
@pytest.fixture
def meds(store: DocumentStore) -> DocumentStore:
    store.set("meds/a", {"n": 3, "user": "u1", "m": {"k": 1}})
    store.set("meds/b", {"n": 1, "user": "u2", "m": {"k": 2}})
    store.set("meds/c", {"n": 2, "user": "u1"})
    store.set("meds/d", {"n": 2, "user": "u2"})
    store.set("meds/e", {"user": "u1"})  # no n
    store.set("other/x", {"n": 1, "user": "u1"})  # another collection
    store.set("meds/a/sub/s", {"n": 1, "user": "u1"})  # a subcollection
    return store


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("==", 2, ["meds/c", "meds/d"]),
        ("<", 2, ["meds/b"]),
        ("<=", 2, ["meds/b", "meds/c", "meds/d"]),
        (">", 2, ["meds/a"]),
        (">=", 2, ["meds/c", "meds/d", "meds/a"]),  # inequality: ordered by n
    ],
)
def test_filter_operators(meds: DocumentStore, op: Any, value: int, expected: list[str]) -> None:
    assert ids(meds.query("meds", [Filter("n", op, value)])) == expected


def test_query_returns_paths_and_data(meds: DocumentStore) -> None:
    rows = meds.query("meds", [Filter("n", "==", 1)])
    assert rows == [("meds/b", {"n": 1, "user": "u2", "m": {"k": 2}})]


def test_no_filter_lists_the_collection_by_id(meds: DocumentStore) -> None:
    assert ids(meds.query("meds")) == ["meds/a", "meds/b", "meds/c", "meds/d", "meds/e"]


def test_several_filters_and(meds: DocumentStore) -> None:
    rows = meds.query("meds", [Filter("user", "==", "u1"), Filter("n", ">=", 2)])
    assert ids(rows) == ["meds/c", "meds/a"]


def test_order_by_then_id_and_limit(meds: DocumentStore) -> None:
    assert ids(meds.query("meds", order_by="n")) == ["meds/b", "meds/c", "meds/d", "meds/a"]
    assert ids(meds.query("meds", order_by="n", limit=2)) == ["meds/b", "meds/c"]
    assert meds.query("meds", order_by="n", limit=0) == []


def test_equality_filter_with_order_by(meds: DocumentStore) -> None:
    rows = meds.query("meds", [Filter("user", "==", "u2")], order_by="n", limit=5)
    assert ids(rows) == ["meds/b", "meds/d"]


def test_order_by_another_field_than_the_inequality(meds: DocumentStore) -> None:
    # Firestore orders by order_by, then by the inequality field, then by id.
    rows = meds.query("meds", [Filter("n", ">=", 1)], order_by="user")
    assert ids(rows) == ["meds/c", "meds/a", "meds/b", "meds/d"]


def test_missing_fields_match_no_filter_and_no_order(meds: DocumentStore) -> None:
    assert "meds/e" not in ids(meds.query("meds", [Filter("n", "<", 100)]))
    assert "meds/e" not in ids(meds.query("meds", order_by="n"))
    assert meds.query("meds", [Filter("absent", "==", None)]) == []


def test_in_filter_with_a_range_on_another_field_ordered_by_it(meds: DocumentStore) -> None:
    # The reminder tick's probe: shard in [...] and next_due_at <= now order by it.
    rows = meds.query("meds", [Filter("user", "in", ["u2", "u3"]), Filter("n", "<=", 2)],
                      order_by="n", limit=5)
    assert ids(rows) == ["meds/b", "meds/d"]
    rows = meds.query("meds", [Filter("n", "in", [3, 2])], order_by="n")
    assert ids(rows) == ["meds/c", "meds/d", "meds/a"]


@pytest.mark.parametrize("values", [[], list(range(31))])
def test_in_filter_takes_one_to_thirty_values(meds: DocumentStore, values: list[int]) -> None:
    with pytest.raises(Exception):  # noqa: B017  # SDK: ValueError or InvalidArgument
        meds.query("meds", [Filter("n", "in", values)])
    assert len(meds.query("meds", [Filter("n", "in", list(range(30)))])) == 4


def test_null_equality(store: DocumentStore) -> None:
    store.set("c/a", {"v": None})
    store.set("c/b", {"v": 0})
    store.set("c/c", {})
    assert ids(store.query("c", [Filter("v", "==", None)])) == ["c/a"]


def test_dotted_field_paths(meds: DocumentStore) -> None:
    assert ids(meds.query("meds", [Filter("m.k", "==", 2)])) == ["meds/b"]
    assert ids(meds.query("meds", order_by="m.k")) == ["meds/a", "meds/b"]


def test_filters_compare_only_values_of_one_type(store: DocumentStore) -> None:
    store.set("c/int", {"v": 1})
    store.set("c/float", {"v": 1.0 + 0.5})
    store.set("c/bool", {"v": True})
    store.set("c/str", {"v": "1"})
    assert ids(store.query("c", [Filter("v", "==", 1)])) == ["c/int"]
    assert ids(store.query("c", [Filter("v", "==", 1.0)])) == ["c/int"]  # numbers are one type
    assert ids(store.query("c", [Filter("v", ">=", 0)])) == ["c/int", "c/float"]
    assert ids(store.query("c", [Filter("v", ">=", "")])) == ["c/str"]
    assert ids(store.query("c", [Filter("v", "==", True)])) == ["c/bool"]


# ------------------------------------------------------------------ transactions
def test_transaction_commits_all_writes_and_returns_fn_result(store: DocumentStore) -> None:
    store.set("c/old", {"v": 1})
    store.set("c/merge", {"a": 1})

    def fn(txn: Transaction) -> str:
        txn.create("c/new", {"v": 2})
        txn.set("c/merge", {"b": 2}, merge=True)
        txn.delete("c/old")
        return "done"

    assert store.transaction(fn) == "done"
    assert store.get("c/new") == {"v": 2}
    assert store.get("c/merge") == {"a": 1, "b": 2}
    assert store.get("c/old") is None


def test_transaction_is_all_or_nothing_on_error(store: DocumentStore) -> None:
    store.set("c/keep", {"v": 1})

    def fn(txn: Transaction) -> None:
        txn.set("c/keep", {"v": 2})
        txn.create("c/new", {"v": 1})
        raise RuntimeError("crash between steps")

    with pytest.raises(RuntimeError):
        store.transaction(fn)
    assert store.get("c/keep") == {"v": 1}
    assert store.get("c/new") is None


def test_transaction_create_on_existing_is_conflict_and_nothing_commits(
    store: DocumentStore,
) -> None:
    store.set("keys/k1", {"v": 1})

    def fn(txn: Transaction) -> None:
        txn.set("c/side", {"v": 1})
        txn.create("keys/k1", {"v": 2})

    with pytest.raises(Conflict):
        store.transaction(fn)
    assert store.get("keys/k1") == {"v": 1}
    assert store.get("c/side") is None


def test_transaction_reads_before_writes(store: DocumentStore) -> None:
    def fn(txn: Transaction) -> None:
        txn.set("c/a", {"v": 1})
        txn.get("c/a")

    with pytest.raises(ValueError):
        store.transaction(fn)
    assert store.get("c/a") is None


def test_transaction_sees_latest_data(store: DocumentStore) -> None:
    store.set("counters/c", {"n": 5})

    def bump(txn: Transaction) -> int:
        doc = txn.get("counters/c")
        n = (doc or {"n": 0})["n"] + 1
        txn.set("counters/c", {"n": n})
        return int(n)

    assert store.transaction(bump) == 6
    store.set("counters/c", {"n": 100}, merge=True)
    assert store.transaction(bump) == 101
    assert store.transaction(lambda txn: txn.get("counters/missing")) is None


def test_concurrent_transactions_count_exactly(store: DocumentStore) -> None:
    threads, each = 3, 4  # the emulator is slow under contention (see firestore_store)
    store.set("counters/c", {"n": 0})
    errors: list[BaseException] = []

    def bump(txn: Transaction) -> None:
        doc = txn.get("counters/c")
        assert doc is not None
        txn.set("counters/c", {"n": doc["n"] + 1})

    def worker() -> None:
        try:
            for _ in range(each):
                store.transaction(bump)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert errors == []
    assert store.get("counters/c") == {"n": threads * each}
