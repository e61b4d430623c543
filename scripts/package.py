"""Package exactly what the functions run, under a content-addressed name.

    python3 scripts/package.py OUT.zip      # prints the object name, medbot-<hash>.zip

The zip holds main.py, requirements.txt, functions/ and shared/ (with the runtime table
and the catalogs), without caches. It is byte-for-byte reproducible (sorted entries,
fixed timestamps and permissions), so its name is the hash of what the functions run:
the same source never redeploys, a changed one always does, and the name exists for a
manual `gcloud builds submit` too (Cloud Build's $SHORT_SHA is empty there). README's
deploy steps and cloudbuild.yaml both call this script. Standard library only.
"""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("main.py", "requirements.txt")
TREES = ("functions", "shared")
SKIPPED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def sources(root: Path = ROOT) -> list[str]:
    """Paths (relative, POSIX) of every file the functions run, sorted."""
    found = [name for name in FILES if (root / name).is_file()]
    for tree in TREES:
        for path in (root / tree).rglob("*"):
            relative = path.relative_to(root)
            if (path.is_file() and not SKIPPED_PARTS & set(relative.parts)
                    and not path.name.endswith(SKIPPED_SUFFIXES)):
                found.append(relative.as_posix())
    return sorted(found)


def build(root: Path = ROOT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sources(root):
            entry = zipfile.ZipInfo(name, date_time=EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, (root / name).read_bytes())
    return buffer.getvalue()


def object_name(data: bytes) -> str:
    return f"medbot-{hashlib.sha256(data).hexdigest()[:16]}.zip"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 scripts/package.py OUT.zip", file=sys.stderr)
        return 2
    data = build()
    Path(argv[1]).write_bytes(data)
    print(object_name(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
