"""In-memory DocumentStore with Firestore's semantics (create conflicts, transactions
that apply all-or-nothing, reads-before-writes). Proven by tests/contract."""

from __future__ import annotations

import copy
import operator
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from shared.ports import Conflict, Doc, Filter

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


def _merge(base: Doc, update: Doc) -> Doc:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class MemoryStore:
    def __init__(self) -> None:
        self._docs: dict[str, Doc] = {}
        self._lock = threading.RLock()

    def get(self, path: str) -> Doc | None:
        _check_path(path)
        with self._lock:
            doc = self._docs.get(path)
            return copy.deepcopy(doc) if doc is not None else None

    def create(self, path: str, data: Doc) -> bool:
        _check_path(path)
        with self._lock:
            if path in self._docs:
                return False
            self._docs[path] = copy.deepcopy(data)
            return True

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        _check_path(path)
        with self._lock:
            current = self._docs.get(path)
            if merge and current is not None:
                self._docs[path] = _merge(current, copy.deepcopy(data))
            else:
                self._docs[path] = copy.deepcopy(data)

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
        prefix = collection + "/"
        with self._lock:
            rows = [
                (path, copy.deepcopy(doc))
                for path, doc in self._docs.items()
                if path.startswith(prefix)
                and "/" not in path[len(prefix) :]
                and all(_matches(doc, f) for f in filters)
            ]
        # Firestore orders by the field, then by document id; documents missing
        # the order field are left out, as Firestore does.
        if order_by is not None:
            rows = [r for r in rows if order_by in r[1]]
            rows.sort(key=lambda r: (r[1][order_by], r[0]))
        else:
            rows.sort(key=lambda r: r[0])
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


def _matches(doc: Doc, f: Filter) -> bool:
    if f.field not in doc:
        return False
    value = doc[f.field]
    try:
        return _OPS[f.op](value, f.value)
    except TypeError:
        return False  # Firestore compares only values of the same type


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
        self._writes.append(("create", path, copy.deepcopy(data), False))

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        _check_path(path)
        self._writes.append(("set", path, copy.deepcopy(data), merge))

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
