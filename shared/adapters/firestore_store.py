"""DocumentStore on Cloud Firestore (sync client). Imported lazily by bootstrap, so the
SDK import (~0.3 s) is paid only by functions that touch the store.

The client honours FIRESTORE_EMULATOR_HOST (then it needs no credentials).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.api_core.exceptions import Aborted, AlreadyExists
from google.cloud import firestore
from google.cloud.firestore import FieldFilter

from shared.ports import Conflict, Doc, Filter, Transaction

T = TypeVar("T")

# Contention aborts a transaction (at commit, or at a read, which the SDK never
# retries). The SDK would retry a commit at once; instead every abort reruns the whole
# transaction after a jittered, doubling pause. On the emulator this matters a lot: two
# transactions that read one document deadlock until its 2 s lock timeout, and
# immediate retries deadlock again (6 threads x 5 increments: ~40 s, vs 5-15 s so).
_ATTEMPTS = 10
_BACKOFF_S = 0.2
_MAX_PAUSE_S = 2.0


def _doc_path(path: str) -> str:
    parts = path.split("/")
    if len(parts) % 2 or any(not p for p in parts):
        raise ValueError("not a document path")
    return path


def _plain(value: Any) -> Any:
    """SDK values -> plain Python: DatetimeWithNanoseconds becomes an aware UTC
    datetime (nanoseconds are beyond Python's precision anyway)."""
    if isinstance(value, datetime):
        return datetime(
            value.year, value.month, value.day, value.hour, value.minute, value.second,
            value.microsecond, tzinfo=UTC,
        )  # fmt: skip
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class FirestoreStore:
    def __init__(
        self, project: str, database: str = "(default)", *, timeout_s: float = 30.0
    ) -> None:
        self._client = firestore.Client(project=project, database=database)
        self._timeout = timeout_s

    def _ref(self, path: str) -> Any:
        return self._client.document(_doc_path(path))

    def get(self, path: str) -> Doc | None:
        snap = self._ref(path).get(timeout=self._timeout)
        return _plain(snap.to_dict()) if snap.exists else None

    def create(self, path: str, data: Doc) -> bool:
        try:
            self._ref(path).create(data, timeout=self._timeout)
        except AlreadyExists:
            return False
        return True

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        self._ref(path).set(data, merge=merge, timeout=self._timeout)

    def delete(self, path: str) -> None:
        self._ref(path).delete(timeout=self._timeout)

    def query(
        self,
        collection: str,
        filters: Sequence[Filter] = (),
        order_by: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Doc]]:
        parts = collection.split("/")
        if len(parts) % 2 == 0 or any(not p for p in parts):
            raise ValueError("not a collection path")
        query: Any = self._client.collection(collection)
        for f in filters:
            query = query.where(filter=FieldFilter(f.field, f.op, f.value))
        if order_by is not None:
            query = query.order_by(order_by)
        if limit is not None:
            query = query.limit(limit)
        return [
            (f"{collection}/{snap.id}", _plain(snap.to_dict()))
            for snap in query.stream(timeout=self._timeout)
        ]

    def transaction(self, fn: Callable[[Transaction], T]) -> T:
        @firestore.transactional  # type: ignore[untyped-decorator]
        def attempt(sdk_txn: Any) -> T:
            return fn(FirestoreTransaction(self, sdk_txn))

        for attempt_no in range(_ATTEMPTS):
            try:
                result: T = attempt(self._client.transaction(max_attempts=1))
                return result
            except AlreadyExists as exc:  # a transactional create() hit a document
                raise Conflict("transaction create() found an existing document") from exc
            except ValueError as exc:
                if not isinstance(exc.__cause__, Aborted):  # not an aborted commit
                    raise
            except Aborted:  # an aborted read
                pass
            pause = min(_MAX_PAUSE_S, _BACKOFF_S * 2**attempt_no)
            time.sleep(random.uniform(0, pause))  # noqa: S311 (jitter, not crypto)
        raise Conflict("transaction aborted by contention")


class FirestoreTransaction:
    """ports.Transaction over an SDK transaction. Enforces reads-before-writes itself so
    the error is the same ValueError the in-memory fake raises."""

    def __init__(self, store: FirestoreStore, sdk_txn: Any) -> None:
        self._store = store
        self._txn = sdk_txn
        self._wrote = False

    def get(self, path: str) -> Doc | None:
        if self._wrote:
            raise ValueError("transactions must read before they write")
        snap = self._store._ref(path).get(transaction=self._txn)
        return _plain(snap.to_dict()) if snap.exists else None

    def create(self, path: str, data: Doc) -> None:
        self._txn.create(self._store._ref(path), data)
        self._wrote = True

    def set(self, path: str, data: Doc, merge: bool = False) -> None:
        self._txn.set(self._store._ref(path), data, merge=merge)
        self._wrote = True

    def delete(self, path: str) -> None:
        self._txn.delete(self._store._ref(path))
        self._wrote = True
