"""The end-to-end reliability report: one row per injected fault, one for the bad requests.

Tests add rows with :func:`add_fault` / :func:`add_bad_requests`; ``conftest.py`` prints the table at the
end of the pytest session and writes it to ``tests/e2e/reliability-report-last-run.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPORT_PATH = Path(__file__).resolve().parents[1] / "reliability-report-last-run.md"


@dataclass(frozen=True)
class FaultRow:
    fault: str
    sent: int
    received: int  # records the sink got, duplicates included
    duplicated: int
    lost: int
    recovery_s: float  # from the fault until records flow again


@dataclass(frozen=True)
class BadRequestRow:
    tried: int
    answered_4xx: int
    answered_5xx: int


faults: list[FaultRow] = []
bad_requests: list[BadRequestRow] = []


def settle(cond: Callable[[], bool], limit: float) -> None:
    """Wait up to ``limit`` seconds for ``cond``; no error on time-out: the counts that follow tell what is lost."""
    deadline = time.monotonic() + limit
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.2)


def count(sent_keys: Iterable[str], sunk: list[str]) -> tuple[int, int, int]:
    """(received, duplicated, lost) of a sink that got ``sunk`` (one key per record) for ``sent_keys``."""
    received = len(sunk)
    unique = set(sunk)
    return received, received - len(unique), len(set(sent_keys) - unique)


def add_fault(row: FaultRow) -> FaultRow:
    faults.append(row)
    return row


def add_bad_requests(row: BadRequestRow) -> BadRequestRow:
    bad_requests.append(row)
    return row


def render() -> list[str]:
    lines = [
        "# End-to-end reliability report (last run)",
        "",
        f"Written by `tests/e2e/reliability` on {time.strftime('%Y-%m-%d %H:%M:%S %Z')}. "
        "Lost must be 0 and 5xx must be 0; recovery is the time from the fault until records flow again.",
        "",
        "| fault | sent | received | duplicated | lost | recovery s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.fault} | {r.sent} | {r.received} | {r.duplicated} | {r.lost} | {r.recovery_s:.1f} |" for r in faults
    ]
    lines += ["", "| bad requests tried | 4xx | 5xx |", "|---:|---:|---:|"]
    lines += [f"| {r.tried} | {r.answered_4xx} | {r.answered_5xx} |" for r in bad_requests]
    return lines
