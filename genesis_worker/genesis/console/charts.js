// Small SVG line charts for the console (no library): a pipeline's throughput and lag over the last hour,
// from GET /genesis/connectors/{name}/series. Exposes window.GenesisCharts.lineChart.
"use strict";

(() => {
  const W = 560, H = 170, L = 52, R = 12, T = 14, B = 26;
  const MAX_DOTS = 240; // beyond this many points the line alone is drawn
  const STATUS_COLOURS = { OK: "#1d8a4a", WARN: "#d08a00", ERR: "#c23030" };

  const escXml = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const clock = (t) => new Date(t).toISOString().slice(11, 19);
  const short = (v) => {
    if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
    if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
    return String(Math.round(v * 10) / 10);
  };
  // A round upper bound for the y axis (1, 2, 5 x 10^n), so the ticks read well.
  function niceMax(v) {
    if (!(v > 0)) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  // points: [{t, <key>, status}]; the points whose value is null are left out. Returns the SVG markup, or
  // "" when no point has a value (the caller hides the chart).
  function lineChart(points, { key, title, unit, colourByStatus = false }) {
    const pts = points.filter((p) => p[key] != null && Number.isFinite(Number(p[key])));
    if (!pts.length) return "";
    const t0 = pts[0].t, t1 = pts[pts.length - 1].t;
    const vmax = niceMax(Math.max(...pts.map((p) => Number(p[key]))));
    const x = (t) => (t1 === t0 ? L + (W - L - R) / 2 : L + ((t - t0) / (t1 - t0)) * (W - L - R));
    const y = (v) => T + (1 - v / vmax) * (H - T - B);
    const line = pts.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(Number(p[key])).toFixed(1)}`).join("");
    const grid = [0, 0.5, 1].map((f) => {
      const gy = y(f * vmax).toFixed(1);
      return `<line class="grid" x1="${L}" x2="${W - R}" y1="${gy}" y2="${gy}"/>
        <text class="tick" x="${L - 6}" y="${gy}" text-anchor="end" dominant-baseline="middle">${short(f * vmax)}</text>`;
    }).join("");
    const dots = pts.length > MAX_DOTS ? "" : pts.map((p) => {
      const fill = colourByStatus ? STATUS_COLOURS[p.status] || "#6b7385" : "";
      return `<circle class="pt" cx="${x(p.t).toFixed(1)}" cy="${y(Number(p[key])).toFixed(1)}" r="2.2"${fill ? ` style="fill:${fill}"` : ""}>
        <title>${clock(p.t)} ${short(Number(p[key]))} ${escXml(unit)}${p.status ? ` ${escXml(p.status)}` : ""}</title></circle>`;
    }).join("");
    const last = pts[pts.length - 1];
    return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" data-key="${escXml(key)}"
        data-points="${pts.length}" data-last="${escXml(last[key])}" aria-label="${escXml(title)}">
      <text class="chart-title" x="${L}" y="10">${escXml(title)} · now ${short(Number(last[key]))} ${escXml(unit)}</text>
      ${grid}
      <text class="tick" x="${L}" y="${H - 6}">${clock(t0)}</text>
      <text class="tick" x="${W - R}" y="${H - 6}" text-anchor="end">${clock(t1)}</text>
      <path class="line" d="${line}"/>${dots}</svg>`;
  }

  window.GenesisCharts = { lineChart };
})();
