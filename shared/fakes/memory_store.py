"""In-memory DocumentStore with Firestore's semantics (create conflicts, transactions
that apply all-or-nothing, reads-before-writes). Proven by tests/contract.

Given the registered collections (bootstrap passes the features' registrations), it
refuses to write any other collection: code that stores documents no feature
registered fails in every test and in the in-memory local stack, instead of leaving
data that "delete my data" would not find (shared/plumbing/erasure.py)."""

from __future__ import annotations

import copy
import operator
import threading
from collections.abc import Callable, Container, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from shared.ports import MAX_IN_VALUES, Conflict, Doc, Filter

T = TypeVar("T")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _check_path(path: str) -> None:
    parts = path.split("/")
    if len(parts) % 2 or any(not p for p in parts):
        raise ValueError(f"not a document path: {path!r}")


def _stored(value: Any) -> Any:
    """A deep copy as Firestore would give it back: datetimes aware UTC (naive ones are
    taken as UTC, like the SDK does), tuples as lists."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return copy.deepcopy(value)


def _merge(base: Doc, update: Doc) -> Doc:
    merged = dict(base)
    for key, value in update.items():
        # Firestore merges maps field by field, but an empty map replaces the field.
        if isinstance(value, dict) and value and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class UnregisteredCollection(ValueError):
    """A write to a collection that no feature registered (Feature.collections)."""


class _Documents(dict[str, Doc]):
    """Documents by path, and the paths of each collection (a query reads only its
    collection's documents, not the whole store)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_collection: dict[str, dict[str, None]] = {}  # ordered sets of paths

    def __setitem__(self, path: str, doc: Doc) -> None:
        if path not in self:
            self.by_collection.setdefault(path.rsplit("/", 1)[0], {})[path] = None
        super().__setitem__(path, doc)

    def __delitem__(self, path: str) -> None:
        super().__delitem__(path)
        self.by_collection[path.rsplit("/", 1)[0]].pop(path, None)

    def pop(self, path: str, default: Any = None) -> Any:  # type: ignore[override]
        if path in self:
            doc = self[path]
            del self[path]
            return doc
        return default

    def clear(self) -> None:
        super().clear()
        self.by_collection.clear()

    def in_collection(self, collection: str) -> list[tuple[str, Doc]]:
        return [(path, self[path]) for path in self.by_collection.get(collection, {})]


class MemoryStore:
    def __init__(self, registered: Callable[[], Container[str]] | None = None) -> None:
        self._docs = _Documents()
        self._lock = threading.RLock()
        self._registered = registered

    def check_registered(self, path: str) -> None:
        collection = path.split("/", 1)[0]
        if self._registered is not None and collection not in self._registered():
            raise UnregisteredCollection(f"no feature registered the collection {collection!r}")

    def get(self, path: str) -> Doc | None:
        _check_path(path)
        with self._lock:
            doc = self._docs.get(path)
            return copy.deepcopy(doc) if doc is not None else None

    def create(self, path: str, data: Doc) -> bool:
        _check_path(path)
        self.check_registered(path)
        with self._lock:
            if path in self._docs:
                return False
            self._docs[path] = _stored(data)
            return True

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        _check_path(path)
        self.check_registered(path)
        with self._lock:
            current = self._docs.get(path)
            if merge and current is not None:
                self._docs[path] = _merge(current, _stored(data))
            else:
                self._docs[path] = _stored(data)

    def delete(self, path: str) -> None:
        _check_path(path)
        with self._lock:
            self._docs.pop(path, None)

    def query(
        self,
        collection: str,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Doc]]:
        for f in filters:
            if f.op == "in" and not (isinstance(f.value, list) and
                                     0 < len(f.value) <= MAX_IN_VALUES):
                # Firestore: INVALID_ARGUMENT, a non-empty array of at most 30 values.
                raise ValueError(f"'in' takes 1..{MAX_IN_VALUES} values")
        filters = [Filter(f.field, f.op, _in_values(_stored(f.value)) if f.op == "in"
                          else _stored(f.value)) for f in filters]
        with self._lock:
            rows = [
                (path, copy.deepcopy(doc))
                for path, doc in self._docs.in_collection(collection)
                if all(_matches(doc, f) for f in filters)
            ]
        # Firestore orders by order_by, then implicitly by the inequality-filtered
        # fields (by name), then by document id; documents missing an order field
        # are left out.
        keys = [order_by] if order_by is not None else []
        keys += sorted({f.field for f in filters if f.op not in ("==", "in")} - set(keys))
        rows = [r for r in rows if all(_lookup(r[1], k) is not _MISSING for k in keys)]
        rows.sort(key=lambda r: ([_sort_key(_lookup(r[1], k)) for k in keys], r[0]))
        return rows[:limit] if limit is not None else rows

    def transaction(self, fn: Callable[[MemoryTransaction], T]) -> T:
        with self._lock:
            txn = MemoryTransaction(self)
            result = fn(txn)
            txn.commit()
            return result

    def clear(self) -> None:
        with self._lock:
            self._docs.clear()


_MISSING = object()


def _lookup(doc: Doc, field: str) -> Any:
    """Value at a dotted field path ('dose.time'), as Firestore reads filter fields."""
    value: Any = doc
    for part in field.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _type_rank(value: Any) -> int:
    # Firestore's order of value types; filters only match values of the same type
    # (ints and floats are both numbers, but a bool is not a number).
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return 2
    if isinstance(value, datetime):
        return 3
    if isinstance(value, str):
        return 4
    if isinstance(value, bytes):
        return 5
    if isinstance(value, list):
        return 8
    return 9


def _sort_key(value: Any) -> tuple[int, Any]:
    rank = _type_rank(value)
    return (rank, value if rank in (1, 2, 3, 4, 5) else repr(value))


def _in_values(values: list[Any]) -> frozenset[tuple[int, Any]] | list[Any]:
    """An "in" filter's values as a set of (type, value) when they allow one (a fast
    membership test; 1 and 1.0 are one number, True is not 1)."""
    try:
        return frozenset((_type_rank(v), v) for v in values)
    except TypeError:
        return values


def _matches(doc: Doc, f: Filter) -> bool:
    value = _lookup(doc, f.field)
    if f.op == "in":  # equal to one of the values (of its own type)
        if value is _MISSING:
            return False
        if isinstance(f.value, frozenset):
            try:
                return (_type_rank(value), value) in f.value
            except TypeError:  # an unhashable value equals no hashable one
                return False
        return any(_type_rank(value) == _type_rank(v) and value == v for v in f.value)
    if value is _MISSING:
        return False
    # Values of one Python type share a Firestore type (the common case, cheaply).
    if type(value) is not type(f.value) and _type_rank(value) != _type_rank(f.value):
        return False
    try:
        return _OPS[f.op](value, f.value)
    except TypeError:
        return False


class MemoryTransaction:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._writes: list[tuple[str, str, Doc | None, bool]] = []

    def get(self, path: str) -> Doc | None:
        if self._writes:
            raise ValueError("transactions must read before they write")
        return self._store.get(path)

    def create(self, path: str, data: Doc) -> None:
        _check_path(path)
        self._store.check_registered(path)
        self._writes.append(("create", path, _stored(data), False))

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        _check_path(path)
        self._store.check_registered(path)
        self._writes.append(("set", path, _stored(data), merge))

    def delete(self, path: str) -> None:
        _check_path(path)
        self._writes.append(("delete", path, None, False))

    def commit(self) -> None:
        docs = self._store._docs
        for kind, path, _, _ in self._writes:
            if kind == "create" and path in docs:
                raise Conflict(f"document exists: {path}")
        for kind, path, data, merge in self._writes:
            if kind == "delete":
                docs.pop(path, None)
            elif merge and path in docs and data is not None:
                docs[path] = _merge(docs[path], data)
            elif data is not None:
                docs[path] = data
