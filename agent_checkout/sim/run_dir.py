"""A run directory holds one run, and an earlier run stays whole until a new one has succeeded.

A run writes its files (``summary.json``, ``ledger.duckdb``, ``replications/``, traces) into a
staging folder inside the run directory. Only when the run has finished are the earlier run's
files taken out and the new ones moved in; a run that fails or is interrupted leaves the
directory as it found it. Files that no run writes (notes a user keeps there) are left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: What a run writes into its directory (and what an older version left half-written).
RUN_FILES = (
    "summary.json",
    "ledger.duckdb",
    "ledger.duckdb.wal",
    "replications",
    "summary.json.partial",
    "ledger.duckdb.partial",
    "report.html",  # drawn from the run's summary: stale once a new run replaces it
)
RUN_PATTERNS = ("trace-s*.jsonl",)


def out_dir_problem(out: Path) -> str | None:
    """Why ``out`` cannot be a run directory, or None: it must be a directory, or a new folder
    whose parent exists (a mistyped path is not turned into a tree of folders)."""
    if out.exists():
        return None if out.is_dir() else "exists and is not a directory"
    if not out.absolute().parent.is_dir():
        return f"its parent folder {out.parent} does not exist (only the last folder is created)"
    return None


def earlier_run_files(out: Path) -> list[Path]:
    """The files and folders an earlier run left in ``out``."""
    found = [out / name for name in RUN_FILES if (out / name).exists()]
    for pattern in RUN_PATTERNS:
        found += sorted(out.glob(pattern))
    return found


@contextmanager
def staged_run(out: Path) -> Iterator[Path]:
    """A folder to write the new run into; on success it replaces the earlier run in ``out``.

    On failure (an exception, Ctrl-C) the staging folder is removed, and so is ``out`` if this
    run created it and it is empty, so nothing is left behind and nothing earlier is lost.
    """
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".run-", dir=out))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(out.iterdir()):
            out.rmdir()
        raise
    replace_run(out, staging)


def replace_run(out: Path, staging: Path) -> None:
    """Move the earlier run's files aside, the new run's into ``out``, then drop the earlier."""
    earlier = Path(tempfile.mkdtemp(prefix=".earlier-", dir=out))
    for path in earlier_run_files(out):
        os.replace(path, earlier / path.name)
    for path in sorted(staging.iterdir()):
        os.replace(path, out / path.name)
    staging.rmdir()
    shutil.rmtree(earlier)
