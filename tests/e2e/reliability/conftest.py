"""Prints the reliability report at the end of the session and keeps it as a file (see report.py)."""

from __future__ import annotations

from typing import Any

from tests.e2e.reliability import report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not report.faults and not report.bad_requests:
        return
    lines = report.render()
    terminalreporter.section("reliability report")
    for line in lines:
        terminalreporter.write_line(line)
    report.REPORT_PATH.write_text("\n".join(lines) + "\n")
    terminalreporter.write_line(f"written to {report.REPORT_PATH}")
