// The lineage of a topic drawn as a layered SVG graph (no library): upstream writers on the left, the topic
// in the middle, downstream readers on the right, one column per layer of GET /genesis/lineage?topic=T's
// "graph" (endpoints on even layers, connectors on odd ones). Exposes window.GenesisGraph.lineageGraph.
"use strict";

(() => {
  const NODE_H = 38, ROW_GAP = 14, COL_GAP = 70, PAD = 16, CHAR_W = 7, MIN_W = 90, MAX_W = 240;

  const escXml = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

  function labels(n) {
    if (n.kind === "connector") {
      const sub = [n.type, n.state, n.owner && `owner ${n.owner}`].filter(Boolean).join(" · ");
      return [n.name, sub];
    }
    const where = n.cluster ? `${n.system}@${n.cluster}` : n.system;
    return [n.name, n.pattern ? `${where} (pattern)` : where];
  }

  // Order each column by the mean position of its neighbours in the column before (then after), a few
  // sweeps: the barycenter heuristic, enough for the few crossings a lineage has.
  function order(columns, edges) {
    const pos = new Map();
    const place = () => columns.forEach((col) => col.forEach((n, i) => pos.set(n.id, i)));
    place();
    const nbrs = (id, dir) => edges.filter((e) => (dir > 0 ? e.to === id : e.from === id)).map((e) => (dir > 0 ? e.from : e.to));
    for (let sweep = 0; sweep < 4; sweep++) {
      const dir = sweep % 2 === 0 ? 1 : -1;
      const idx = columns.map((_, i) => i);
      for (const c of dir > 0 ? idx.slice(1) : idx.reverse().slice(1)) {
        const bary = (n) => {
          const ps = nbrs(n.id, dir).filter((id) => pos.has(id)).map((id) => pos.get(id));
          return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : pos.get(n.id);
        };
        columns[c] = columns[c].map((n) => [bary(n), n]).sort((a, b) => a[0] - b[0]).map(([, n]) => n);
        place();
      }
    }
  }

  // graph: {nodes: [{id, kind, layer, ...}], edges: [{from, to}]}; focus: the id of the topic asked for;
  // link(node): an href for the node, or null. Returns the SVG markup.
  function lineageGraph(graph, focus, link) {
    const layers = [...new Set(graph.nodes.map((n) => n.layer))].sort((a, b) => a - b);
    const columns = layers.map((l) => graph.nodes.filter((n) => n.layer === l).sort((a, b) => a.id.localeCompare(b.id)));
    const ids = new Set(graph.nodes.map((n) => n.id));
    const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
    order(columns, edges);
    const widths = columns.map((col) => Math.min(MAX_W, Math.max(MIN_W, ...col.flatMap((n) => labels(n).map((s) => s.length * CHAR_W + 20)))));
    const tallest = Math.max(...columns.map((c) => c.length));
    const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
    const box = new Map();
    let x = PAD;
    columns.forEach((col, c) => {
      const top = PAD + (height - PAD * 2 - (col.length * NODE_H + (col.length - 1) * ROW_GAP)) / 2;
      col.forEach((n, i) => box.set(n.id, { x, y: top + i * (NODE_H + ROW_GAP), w: widths[c] }));
      x += widths[c] + COL_GAP;
    });
    const width = x - COL_GAP + PAD;
    const paths = edges.map((e) => {
      const a = box.get(e.from), b = box.get(e.to);
      const x1 = a.x + a.w, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
      const bend = Math.max(30, Math.abs(x2 - x1) / 2);
      return `<path class="edge" data-from="${escXml(e.from)}" data-to="${escXml(e.to)}" marker-end="url(#arrow)"
        d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}"/>`;
    }).join("");
    const nodes = graph.nodes.map((n) => {
      const b = box.get(n.id);
      const [main, sub] = labels(n);
      const chars = Math.floor((b.w - 16) / CHAR_W);
      const cls = ["node", n.kind, n.id === focus ? "focus" : "", n.state ? `state-${n.state}` : ""].filter(Boolean).join(" ");
      const body = `<g class="${escXml(cls)}" data-id="${escXml(n.id)}" data-kind="${escXml(n.kind)}" data-layer="${n.layer}"
          data-name="${escXml(n.name)}" transform="translate(${b.x},${b.y})">
        <title>${escXml(n.id)}${n.ticket ? ` · ticket ${escXml(n.ticket)}` : ""}</title>
        <rect width="${b.w}" height="${NODE_H}" rx="${n.kind === "connector" ? 10 : 2}"/>
        <text class="label" x="8" y="15">${escXml(clip(main, chars))}</text>
        <text class="sub" x="8" y="30">${escXml(clip(sub, chars + 3))}</text></g>`;
      const href = link(n);
      return href ? `<a href="${escXml(href)}">${body}</a>` : body;
    }).join("");
    return `<svg class="lineage-graph" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img"
        aria-label="lineage of ${escXml(focus)}">
      <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
        <path d="M0,0 L10,5 L0,10 z"/></marker></defs>${paths}${nodes}</svg>`;
  }

  window.GenesisGraph = { lineageGraph };
})();
