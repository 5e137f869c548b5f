// Genesis web console: pipelines with owner, ticket, state, throughput and lag status, searched and filtered,
// from this cluster or every cluster of the selector; a pipeline's throughput and lag charts, lag per
// partition and history with its diff view; create, edit and delete pipelines with forms generated from each
// plugin's ConfigDef; the lineage of a topic as a graph. Plain JS, no build step: it only calls the worker's
// REST API (Connect's endpoints plus /genesis/*); an endpoint this worker lacks (404) hides what it feeds.
"use strict";

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const fmt = (n) => (n == null ? "" : Number(n).toLocaleString(undefined, { maximumFractionDigits: 1 }));

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const msg = data && data.message ? data.message : `HTTP ${res.status}`;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return data;
}

// ---- views ------------------------------------------------------------------------------------------

function show(view) {
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== `view-${view}`;
}

async function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  clearInterval(window.__refresh);
  if (hash === "/" || hash.startsWith("/?")) {
    show("pipelines");
    readFilters(new URLSearchParams(hash.split("?")[1] || ""));
    await renderPipelines();
    window.__refresh = setInterval(renderPipelines, 3000);
  } else if (hash === "/new") {
    show("editor");
    await renderEditor(null);
  } else if (hash.startsWith("/edit/")) {
    show("editor");
    await renderEditor(decodeURIComponent(hash.slice(6)));
  } else if (hash.startsWith("/pipeline/")) {
    show("detail");
    const name = decodeURIComponent(hash.slice(10));
    clearDetail();
    await renderDetail(name);
    window.__refresh = setInterval(() => renderDetail(name), 3000);
  } else if (hash.startsWith("/lineage")) {
    show("lineage");
    const topic = new URLSearchParams(hash.split("?")[1] || "").get("topic");
    if (topic) { $("#lineage-topic").value = topic; await renderLineage(topic); }
  }
}

async function renderCluster() {
  try {
    const m = await api("GET", "/genesis/metrics");
    const w = m.cluster || m.worker || {};  // distributed: the whole cluster's figures, gathered by this worker
    const members = m.cluster ? m.cluster.workers || [] : [];
    const down = members.filter((x) => !x.reachable).length;
    const scope = m.cluster ? `cluster${down ? ` (${down} worker${down > 1 ? "s" : ""} unreachable)` : ""}` : `worker ${m.worker_id || ""}`;
    $("#cluster").textContent = `${scope} · ${fmt(w.read_per_sec)} read/s · ${fmt(w.written_per_sec)} written/s · lag ${fmt(w.lag)}`;
  } catch (e) { $("#cluster").textContent = ""; }
}

// ---- clusters: GET /genesis/clusters; "all" spans them (?clusters=all on pipelines and lineage) ---------

const CLUSTER_KEY = "genesis.console.cluster";
let clusters = []; // [{name, url, self, reachable, error}], empty when the worker has no cluster selector
const selfCluster = () => (clusters.find((c) => c.self) || {}).name;
// The ?clusters= value for the selection: "" for this cluster alone.
function clusterParam() {
  const sel = $("#cluster-select").value;
  return !clusters.length || !sel || sel === selfCluster() ? "" : sel;
}

async function loadClusters() {
  try { clusters = await api("GET", "/genesis/clusters"); } catch (e) { clusters = []; }
  const picker = $("#cluster-picker");
  picker.hidden = !clusters.length;
  if (!clusters.length) return;
  const opts = clusters.map((c) => `<option value="${esc(c.name)}" title="${esc(c.error || c.url)}">${esc(c.name)}${c.self ? " (this)" : ""}${c.reachable ? "" : " (unreachable)"}</option>`);
  if (clusters.length > 1) opts.push('<option value="all">all clusters</option>');
  const sel = $("#cluster-select");
  sel.innerHTML = opts.join("");
  const saved = localStorage.getItem(CLUSTER_KEY);
  sel.value = [...sel.options].some((o) => o.value === saved) ? saved : selfCluster();
}

// ---- pipelines: search and filter by name, owner, ticket, topic, state and lag status -------------------

let pipelineRows = [];

function readFilters(q) {
  $("#filter-text").value = q.get("q") || "";
  $("#filter-state").value = q.get("state") || "";
  $("#filter-lag").value = q.get("lag") || "";
}

function writeFilters() {
  const q = new URLSearchParams();
  for (const [k, id] of [["q", "#filter-text"], ["state", "#filter-state"], ["lag", "#filter-lag"]]) {
    if ($(id).value.trim()) q.set(k, $(id).value.trim());
  }
  history.replaceState(null, "", `#/${q.toString() ? `?${q}` : ""}`);
}

// "owner:ads ticket:ADS-1 orders": each field:value term must match that field, each bare word any field.
function matches(row, text, state, lag) {
  if (state && row.state !== state) return false;
  if (lag && row.lagStatus !== lag) return false;
  const fields = { name: [row.name], owner: [row.owner], ticket: [row.ticket], topic: row.topics };
  for (const term of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const m = term.match(/^(name|owner|ticket|topic):(.*)$/);
    const hay = m ? fields[m[1]] : Object.values(fields).flat();
    const needle = m ? m[2] : term;
    if (!hay.some((v) => String(v ?? "").toLowerCase().includes(needle))) return false;
  }
  return true;
}

function applyFilters() {
  const text = $("#filter-text").value, state = $("#filter-state").value, lag = $("#filter-lag").value;
  let shown = 0;
  for (const tr of document.querySelectorAll("#pipelines tbody tr")) {
    const row = pipelineRows[Number(tr.dataset.row)];
    tr.hidden = !matches(row, text, state, lag);
    if (!tr.hidden) shown++;
  }
  $("#filter-count").textContent = pipelineRows.length ? `${shown} of ${pipelineRows.length} pipelines` : "";
}

// The Kafka topics each connector reads or writes, from the lineage graph (its declared lineage, active
// topics and dead letter queue): "local/<name>" or "<cluster>/<name>" -> [topic].
function topicsByConnector(graph) {
  const out = new Map();
  if (!graph || !graph.nodes) return out;
  const self = selfCluster();
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const key = (n) => (!n.cluster || n.cluster === self ? `local/${n.name}` : `${n.cluster}/${n.name}`);
  for (const e of graph.edges || []) {
    const [a, b] = [nodes.get(e.from), nodes.get(e.to)];
    for (const [c, t] of [[a, b], [b, a]]) {
      if (c && t && c.kind === "connector" && t.system === "kafka" && !t.pattern) {
        if (!out.has(key(c))) out.set(key(c), new Set());
        out.get(key(c)).add(t.name);
      }
    }
  }
  return out;
}

// The topics a pipeline reads or writes: its lineage's, the active ones and those of its config.
function topicsOf(p, lineage) {
  const cfg = p.config || {};
  const named = [cfg.topics, cfg.topic].filter(Boolean).flatMap((v) => String(v).split(",")).map((t) => t.trim());
  const drawn = lineage.get(p.local ? `local/${p.name}` : `${p.cluster}/${p.name}`) || [];
  return [...new Set([...(p.topics || []), ...named, ...drawn].filter(Boolean))].sort();
}

async function fetchPipelines() {
  const param = clusterParam();
  const query = param ? `?clusters=${encodeURIComponent(param)}` : "";
  const [answer, lag, graph] = await Promise.all([
    api("GET", `/genesis/pipelines${query}`),
    api("GET", "/genesis/lag").catch(() => null),
    api("GET", `/genesis/lineage${query}`).catch(() => null),
  ]);
  const lineage = topicsByConnector(graph);
  const list = Array.isArray(answer) ? answer : answer.pipelines || [];
  const down = Array.isArray(answer) ? [] : (answer.clusters || []).filter((c) => !c.reachable);
  const note = $("#clusters-note");
  note.hidden = !down.length;
  note.textContent = down.map((c) => `cluster ${c.name} unreachable: ${c.error || ""}`).join("; ");
  const self = selfCluster();
  return list
    .filter((p) => !param || param === "all" || !p.cluster || p.cluster === param)
    .map((p) => {
      const local = !p.cluster || p.cluster === self;
      const l = local && lag ? lag[p.name] : null;
      return { ...p, local, state: (p.connector && p.connector.state) || "UNASSIGNED", owner: p.owner, ticket: p.ticket,
        topics: topicsOf({ ...p, local }, lineage), lagStatus: (l && l.status) || "n/a", totalLag: l ? l.total_lag : null };
    });
}

function pipelineLink(p) {
  const path = `#/pipeline/${encodeURIComponent(p.name)}`;
  if (p.local) return path;
  const c = clusters.find((x) => x.name === p.cluster);
  return c ? `${c.url}/genesis/console${path}` : null;
}

async function renderPipelines() {
  pipelineRows = await fetchPipelines();
  $("#pipelines tbody").innerHTML = pipelineRows.map((p, i) => {
    const running = p.tasks.filter((t) => t.state === "RUNNING").length;
    const m = p.metrics || {};
    const href = pipelineLink(p);
    return `<tr data-row="${i}" data-name="${esc(p.name)}" data-cluster="${esc(p.cluster || "")}">
      <td>${href ? `<a href="${esc(href)}">${esc(p.name)}</a>` : esc(p.name)}</td>
      <td>${esc(p.type)}</td><td class="state-${esc(p.state)}">${esc(p.state)}</td>
      <td>${running}/${p.tasks.length}</td><td>${esc(p.owner)}</td><td>${esc(p.ticket)}</td>
      <td>${fmt(m.read_per_sec)}</td><td>${fmt(m.written_per_sec)}</td><td>${fmt(p.totalLag ?? m.lag)}</td>
      <td class="lag-${esc(p.lagStatus)}">${esc(p.lagStatus)}</td><td>${p.topics.map(esc).join(", ")}</td>
      <td>${esc(p.cluster || "")}</td>
      <td>${p.local ? `<a href="#/edit/${encodeURIComponent(p.name)}">edit</a>` : ""}</td></tr>`;
  }).join("");
  $("#pipelines-empty").hidden = pipelineRows.length > 0;
  applyFilters();
  renderCluster();
}

// ---- a pipeline: lag, charts of the last hour, tasks, config, history ------------------------------------

function clearDetail() {
  for (const id of ["#detail-body", "#detail-lag", "#chart-throughput", "#chart-lag", "#history tbody"]) $(id).innerHTML = "";
}

// GET .../lag: a sink's Burrow evaluation per partition, a source's produce figures; "lag: n/a" without it.
async function renderLag(name) {
  let l;
  try { l = await api("GET", `/genesis/connectors/${encodeURIComponent(name)}/lag`); } catch (e) { l = null; }
  const out = $("#detail-lag");
  if (!l) { out.innerHTML = '<p class="lag-summary">lag: n/a</p>'; return; }
  if (l.type !== "sink") {
    const age = l.last_offset_commit_age_ms == null ? "n/a" : `${fmt(l.last_offset_commit_age_ms / 1000)} s ago`;
    out.innerHTML = `<p class="lag-summary">produce rate <b>${fmt(l.records_per_sec)}</b> records/s ·
      last offset commit ${esc(age)} · pending records <b>${fmt(l.pending_records)}</b></p>`;
    return;
  }
  const parts = (l.partitions || []).map((p) => `<tr><td>${esc(p.topic)}</td><td>${p.partition}</td>
      <td class="lag-${esc(p.status)}">${esc(p.status)}</td><td>${fmt(p.current_lag)}</td>
      <td>${fmt(p.committed_offset)}</td><td>${fmt(p.end_offset)}</td></tr>`).join("");
  out.innerHTML = `<p class="lag-summary">lag status <b class="lag-${esc(l.status)}">${esc(l.status)}</b> ·
      total lag <b>${fmt(l.total_lag)}</b> · group ${esc(l.group)}${l.evaluated_at ? ` · evaluated ${esc(new Date(l.evaluated_at).toISOString())}` : ""}</p>
    ${parts ? `<table class="partitions"><thead><tr><th>Topic</th><th>Partition</th><th>Status</th><th>Lag</th>
      <th>Committed</th><th>End</th></tr></thead><tbody>${parts}</tbody></table>` : ""}`;
}

// GET .../series: throughput and lag over the last hour; a chart without data (or without the endpoint) hides.
async function renderCharts(name) {
  let s;
  try { s = await api("GET", `/genesis/connectors/${encodeURIComponent(name)}/series?minutes=60`); } catch (e) { s = null; }
  const points = (s && s.points) || [];
  const charts = [
    ["#chart-throughput", { key: "records_per_sec", title: "Throughput", unit: "records/s" }],
    ["#chart-lag", { key: "lag", title: "Lag", unit: "records", colourByStatus: true }],
  ];
  for (const [id, opts] of charts) {
    const svg = GenesisCharts.lineChart(points, opts);
    $(id).innerHTML = svg;
    $(id).hidden = !svg;
  }
}

async function renderDetail(name) {
  $("#detail-name").textContent = name;
  renderLag(name);
  renderCharts(name);
  let status, info, hist, offsets;
  try {
    [status, info, hist] = await Promise.all([
      api("GET", `/connectors/${encodeURIComponent(name)}/status`),
      api("GET", `/connectors/${encodeURIComponent(name)}`),
      api("GET", `/genesis/connectors/${encodeURIComponent(name)}/history`),
    ]);
  } catch (e) {
    $("#detail-body").innerHTML = `<p class="field-error">${esc(e.message)}</p>`;
    return;
  }
  try { offsets = await api("GET", `/connectors/${encodeURIComponent(name)}/offsets`); } catch (e) { offsets = null; }
  const tasks = status.tasks.map((t) => `<tr><td>${t.id}</td><td class="state-${esc(t.state)}">${esc(t.state)}</td>
      <td>${esc(t.worker_id)}</td><td>${t.trace ? `<pre>${esc(t.trace)}</pre>` : ""}</td></tr>`).join("");
  $("#detail-body").innerHTML = `
    <p>Type <b>${esc(status.type)}</b> · connector <span class="state-${esc(status.connector.state)}">${esc(status.connector.state)}</span>
      on ${esc(status.connector.worker_id)} · owner <b>${esc(info.config["genesis.owner"])}</b> · ticket <b>${esc(info.config["genesis.ticket"])}</b></p>
    ${status.connector.trace ? `<pre>${esc(status.connector.trace)}</pre>` : ""}
    <table><thead><tr><th>Task</th><th>State</th><th>Worker</th><th>Trace</th></tr></thead><tbody>${tasks}</tbody></table>
    <h3>Config</h3><pre>${esc(JSON.stringify(info.config, null, 2))}</pre>
    ${offsets ? `<h3>Offsets</h3><pre>${esc(JSON.stringify(offsets.offsets, null, 2))}</pre>` : ""}`;
  $("#history tbody").innerHTML = hist.slice().reverse().map((h) => `<tr><td>${esc(new Date(h.timestamp).toISOString())}</td>
      <td>${esc(h.action)}</td><td>${esc(h.owner)}</td><td>${esc(h.ticket)}</td>
      <td title="${esc(h.actor_source)}">${esc(h.actor)}</td><td>${diff(h)}</td></tr>`).join("");
  for (const b of document.querySelectorAll("#view-detail [data-action]")) b.onclick = () => act(name, b.dataset.action);
}

// The changed keys of a history record as "key: old -> new" lines (a long list folds away).
function diff(h) {
  const val = (v) => (v == null ? '<i class="none">unset</i>' : esc(v));
  const lines = Object.entries(h.changes || {}).map(([k, c]) =>
    `<div class="change"><b>${esc(k)}</b>: <del>${val(c.old)}</del> &rarr; <ins>${val(c.new)}</ins></div>`);
  const extra = Object.keys(h.details || {}).length ? `<div class="doc">${esc(JSON.stringify(h.details))}</div>` : "";
  if (lines.length > 3) return `<details><summary>${lines.length} keys</summary>${lines.join("")}</details>${extra}`;
  return lines.join("") + extra;
}

async function act(name, action) {
  const n = encodeURIComponent(name);
  try {
    if (action === "pause") await api("PUT", `/connectors/${n}/pause`);
    else if (action === "resume") await api("PUT", `/connectors/${n}/resume`);
    else if (action === "stop") await api("PUT", `/connectors/${n}/stop`);
    else if (action === "restart") await api("POST", `/connectors/${n}/restart?includeTasks=true&onlyFailed=true`);
    else if (action === "edit") { location.hash = `#/edit/${n}`; return; }
    else if (action === "delete") {
      if (!confirm(`Delete pipeline ${name}?`)) return;
      await api("DELETE", `/connectors/${n}`);
      location.hash = "#/";
      return;
    }
    await renderDetail(name);
  } catch (e) { alert(e.message); }
}

// ---- editor: forms generated from the plugin's ConfigDef ---------------------------------------------

const FRAMEWORK_SKIP = new Set(["name", "connector.class", "genesis.owner", "genesis.ticket"]);
// A plugin's ConfigDef does not hold the framework's keys; a sink needs one of these to be valid.
const SINK_TOPIC_KEYS = [
  { name: "topics", display_name: "Topics", documentation: "Comma-separated topics to consume" },
  { name: "topics.regex", display_name: "Topics regex", documentation: "Regular expression of the topics to consume (instead of topics)" },
];
const pluginTypes = new Map();
let editing = null;

async function renderEditor(name) {
  editing = name;
  $("#editor-title").textContent = name ? `Edit ${name}` : "New pipeline";
  $("#editor-result").textContent = "";
  const plugins = await api("GET", "/connector-plugins");
  for (const p of plugins) pluginTypes.set(p.class, p.type);
  const sel = $("#f-class");
  sel.innerHTML = plugins.map((p) => `<option value="${esc(p.class)}">${esc(p.class)} (${esc(p.type)})</option>`).join("");
  let config = {};
  if (name) {
    config = await api("GET", `/connectors/${encodeURIComponent(name)}/config`);
    sel.value = config["connector.class"];
  }
  $("#f-name").value = name || "";
  $("#f-name").disabled = !!name;
  $("#f-owner").value = config["genesis.owner"] || "";
  $("#f-ticket").value = config["genesis.ticket"] || "";
  sel.onchange = () => renderFields(sel.value, {});
  await renderFields(sel.value, config);
}

async function renderFields(cls, config) {
  const defs = await api("GET", `/connector-plugins/${encodeURIComponent(cls)}/config`);
  const known = new Set(defs.map((d) => d.name));
  const groups = new Map();
  if (pluginTypes.get(cls) === "sink") {
    const extra = SINK_TOPIC_KEYS.filter((d) => !known.has(d.name));
    if (extra.length) groups.set("Topics", extra);
    for (const d of extra) known.add(d.name);
  }
  for (const d of defs) {
    if (FRAMEWORK_SKIP.has(d.name)) continue;
    const g = d.group || "Connector";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(d);
  }
  $("#fields").innerHTML = [...groups.entries()].map(([g, ds]) => `<fieldset><legend>${esc(g)}</legend>${ds.map((d) => {
    const v = config[d.name] ?? "";
    const ph = d.default_value ?? "";
    return `<label class="${d.required ? "required" : ""}">${esc(d.display_name || d.name)} <code>${esc(d.name)}</code>
      <input data-key="${esc(d.name)}" value="${esc(v)}" placeholder="${esc(ph)}">
      <span class="doc">${esc(d.documentation)}</span><span class="field-error" data-error="${esc(d.name)}"></span></label>`;
  }).join("")}</fieldset>`).join("");
  $("#f-extra").value = Object.entries(config)
    .filter(([k]) => !known.has(k) && !FRAMEWORK_SKIP.has(k))
    .map(([k, v]) => `${k}=${v}`).join("\n");
}

function collect() {
  const cfg = { "connector.class": $("#f-class").value, name: $("#f-name").value.trim() };
  for (const el of document.querySelectorAll("#editor [data-key]")) {
    if (el.value.trim() !== "") cfg[el.dataset.key] = el.value.trim();
  }
  for (const line of $("#f-extra").value.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) cfg[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return cfg;
}

async function validate() {
  const cfg = collect();
  for (const el of document.querySelectorAll("[data-error]")) el.textContent = "";
  const res = await api("PUT", `/connector-plugins/${encodeURIComponent(cfg["connector.class"])}/config/validate`, cfg);
  const msgs = [];
  for (const c of res.configs) {
    if (c.value && c.value.errors.length) {
      const slot = document.querySelector(`[data-error="${CSS.escape(c.value.name)}"]`);
      if (slot) slot.textContent = c.value.errors.join(" ");
      msgs.push(`${c.value.name}: ${c.value.errors.join(" ")}`);
    }
  }
  return { count: res.error_count, msgs };
}

async function save(ev) {
  ev.preventDefault();
  const out = $("#editor-result");
  try {
    const v = await validate();
    if (v.count > 0) {
      out.className = "error";
      out.textContent = `${v.count} error(s): ${v.msgs.join("; ")}`;
      return;
    }
    const cfg = collect();
    const name = editing || cfg.name;
    await api("PUT", `/connectors/${encodeURIComponent(name)}/config`, cfg);
    out.className = "ok";
    out.textContent = `Saved ${name}.`;
    location.hash = `#/pipeline/${encodeURIComponent(name)}`;
  } catch (e) {
    out.className = "error";
    out.textContent = e.message;
  }
}

// ---- lineage ------------------------------------------------------------------------------------------

// GET /genesis/lineage?topic=T (or ?clusters=...&topic=T: one answer per cluster): a graph per cluster,
// then the pipelines that read and write the topic.
async function renderLineage(topic) {
  const param = clusterParam();
  const q = `topic=${encodeURIComponent(topic)}${param ? `&clusters=${encodeURIComponent(param)}` : ""}`;
  const answer = await api("GET", `/genesis/lineage?${q}`);
  const results = (answer.results || [answer]).filter((r) => !param || param === "all" || !r.cluster || r.cluster === param);
  const self = selfCluster();
  const link = (cluster) => (n) => {
    const local = !cluster || cluster === self;
    if (n.kind === "connector") {
      const c = clusters.find((x) => x.name === cluster);
      return local ? `#/pipeline/${encodeURIComponent(n.name)}` : c ? `${c.url}/genesis/console#/pipeline/${encodeURIComponent(n.name)}` : null;
    }
    return n.system === "kafka" && !n.pattern && local ? `#/lineage?topic=${encodeURIComponent(n.name)}` : null;
  };
  const list = (ps, cluster) => ps.length ? `<ul>${ps.map((p) => {
    const href = link(cluster)({ kind: "connector", name: p.name });
    return `<li>${href ? `<a href="${esc(href)}">${esc(p.name)}</a>` : esc(p.name)}
      (${esc(p.type)}, owner ${esc(p.owner)}, ticket ${esc(p.ticket)})</li>`;
  }).join("")}</ul>` : "<p>none</p>";
  $("#lineage-result").innerHTML = results.map((r) => {
    const g = r.graph;
    const focus = `${r.system || "kafka"}:${r.topic}`;
    const drawn = g && g.nodes.length > 1 ? GenesisGraph.lineageGraph(g, focus, link(r.cluster)) : "<p>No pipeline reads or writes it.</p>";
    return `<section class="lineage" data-cluster="${esc(r.cluster || "")}">
      ${results.length > 1 || r.cluster !== undefined && param ? `<h3 class="cluster-name">cluster ${esc(r.cluster)}</h3>` : ""}
      <div class="graph-box">${drawn}</div>
      <div class="lineage-lists"><div><h3>Written by</h3>${list(r.writers || [], r.cluster)}</div><div><h3>Read by</h3>${list(r.readers || [], r.cluster)}</div></div>
    </section>`;
  }).join("");
}

// ---- wiring -------------------------------------------------------------------------------------------

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  $("#editor").addEventListener("submit", save);
  $("#validate").addEventListener("click", async () => {
    const out = $("#editor-result");
    try {
      const v = await validate();
      out.className = v.count ? "error" : "ok";
      out.textContent = v.count ? `${v.count} error(s): ${v.msgs.join("; ")}` : "Valid.";
    } catch (e) { out.className = "error"; out.textContent = e.message; }
  });
  $("#filters").addEventListener("submit", (ev) => ev.preventDefault());
  for (const id of ["#filter-text", "#filter-state", "#filter-lag"]) {
    for (const ev of ["input", "change"]) $(id).addEventListener(ev, () => { writeFilters(); applyFilters(); });
  }
  $("#cluster-select").addEventListener("change", () => {
    localStorage.setItem(CLUSTER_KEY, $("#cluster-select").value);
    route();
  });
  $("#lineage-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/lineage?topic=${encodeURIComponent($("#lineage-topic").value.trim())}`;
  });
  loadClusters().then(route);
});
