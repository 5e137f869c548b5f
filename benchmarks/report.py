"""Write a run's results: ``<date>.json`` (everything), ``<date>.md`` (tables) and PNG charts."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("benchmarks.report")


def _fmt(v: float) -> str:
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def markdown(run: dict[str, Any]) -> str:
    lines = [
        f"# Benchmark results {run['date']}",
        "",
        f"Command: `{run['command']}` - machine: {run['machine']} - total {run['seconds']:.0f} s"
        + (" - **--quick** (scaled down)" if run["quick"] else ""),
        "",
        "Each figure: median of the runs, [min - max]. Ratios: medians measured in the same run.",
        "",
    ]
    for b in run["benchmarks"]:
        lines += [f"## {b['title']} (`{b['name']}`)", ""]
        if b.get("params"):
            params = ", ".join(f"{k}={v}" for k, v in b["params"].items())
            lines += [f"Parameters: {params}", ""]
        if b["figures"]:
            lines += ["| figure | median | min | max | unit | runs |", "|---|---:|---:|---:|---|---:|"]
            for f in b["figures"]:
                lines.append(
                    f"| {f['name']} | {_fmt(f['median'])} | {_fmt(f['min'])} | {_fmt(f['max'])} | {f['unit']} | "
                    f"{len(f['runs'])} |"
                )
            lines.append("")
        if b["ratios"]:
            lines += ["| ratio | value | target | met |", "|---|---:|---|---|"]
            for r in b["ratios"]:
                met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
                lines.append(f"| {r['name']} | {r['value']:.2f} | {r['target_text']} | {met} |")
            lines.append("")
        for nm in b["not_measured"]:
            lines.append(f"- not measured: **{nm['name']}**: {nm['not_measured']}")
        for note in b["notes"]:
            lines.append(f"- note: {note}")
        lines += ["", f"({b['seconds']:.0f} s)", ""]
    return "\n".join(lines)


def charts(run: dict[str, Any], out_dir: Path, stem: str) -> list[Path]:
    """One horizontal bar chart per benchmark and unit: median bars, min/max whiskers."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed: no charts (pip install matplotlib)")
        return []
    paths = []
    for b in run["benchmarks"]:
        by_unit: dict[str, list[dict[str, Any]]] = {}
        for f in b["figures"]:
            by_unit.setdefault(f["unit"], []).append(f)
        for i, (unit, figs) in enumerate(by_unit.items()):
            fig, ax = plt.subplots(figsize=(8, 0.45 * len(figs) + 1.4))
            names = [f["name"] for f in figs]
            med = [f["median"] for f in figs]
            err = [
                [m - f["min"] for m, f in zip(med, figs, strict=True)],
                [f["max"] - m for m, f in zip(med, figs, strict=True)],
            ]
            colors = ["#d62728" if n.startswith("genesis") else "#7f7f7f" for n in names]
            ax.barh(names, med, xerr=err, color=colors, capsize=3)
            ax.invert_yaxis()
            ax.set_xlabel(unit)
            ax.set_title(b["title"], fontsize=9)
            for y, m in enumerate(med):
                ax.text(m, y, f" {_fmt(m)}", va="center", fontsize=7)
            fig.tight_layout()
            path = out_dir / f"{stem}-{b['name']}-{i}.png"
            fig.savefig(path, dpi=110)
            plt.close(fig)
            paths.append(path)
    return paths


def write(run: dict[str, Any], out_dir: Path, stem: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    j = out_dir / f"{stem}.json"
    j.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n")
    m = out_dir / f"{stem}.md"
    m.write_text(markdown(run))
    return [j, m, *charts(run, out_dir, stem)]
