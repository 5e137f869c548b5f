// Genesis web console: pipelines with owner, ticket, state, throughput and lag; create, edit and delete
// pipelines with forms generated from each plugin's ConfigDef; history; lineage. Plain JS, no build step:
// it only calls the worker's REST API (Connect's endpoints plus /genesis/*).
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
  if (hash === "/") {
    show("pipelines");
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

async function renderPipelines() {
  const rows = await api("GET", "/genesis/pipelines");
  const body = $("#pipelines tbody");
  body.innerHTML = rows.map((p) => {
    const st = (p.connector && p.connector.state) || "UNASSIGNED";
    const running = p.tasks.filter((t) => t.state === "RUNNING").length;
    const m = p.metrics || {};
    return `<tr data-name="${esc(p.name)}">
      <td><a href="#/pipeline/${encodeURIComponent(p.name)}">${esc(p.name)}</a></td>
      <td>${esc(p.type)}</td><td class="state-${esc(st)}">${esc(st)}</td>
      <td>${running}/${p.tasks.length}</td><td>${esc(p.owner)}</td><td>${esc(p.ticket)}</td>
      <td>${fmt(m.read_per_sec)}</td><td>${fmt(m.written_per_sec)}</td><td>${fmt(m.lag)}</td>
      <td><a href="#/edit/${encodeURIComponent(p.name)}">edit</a></td></tr>`;
  }).join("");
  $("#pipelines-empty").hidden = rows.length > 0;
  renderCluster();
}

async function renderDetail(name) {
  $("#detail-name").textContent = name;
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

async function renderLineage(topic) {
  const l = await api("GET", `/genesis/lineage?topic=${encodeURIComponent(topic)}`);
  const ep = (e) => `${esc(e.system)}:${esc(e.name)}${e.pattern ? " (pattern)" : ""}`;
  const list = (ps) => ps.length ? `<ul>${ps.map((p) => `<li><a href="#/pipeline/${encodeURIComponent(p.name)}">${esc(p.name)}</a>
      (${esc(p.type)}, owner ${esc(p.owner)}, ticket ${esc(p.ticket)}) → ${p.outputs.map(ep).join(", ")}</li>`).join("")}</ul>` : "<p>none</p>";
  const flow = (xs) => xs.length ? `<ul>${xs.map((d) => `<li>${ep(d.endpoint)} via ${d.via.map(esc).join(" → ")}</li>`).join("")}</ul>` : "<p>none</p>";
  $("#lineage-result").innerHTML = `<h3>Read by</h3>${list(l.readers)}<h3>Written by</h3>${list(l.writers)}
    <h3>Downstream</h3>${flow(l.downstream)}<h3>Upstream</h3>${flow(l.upstream)}`;
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
  $("#lineage-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/lineage?topic=${encodeURIComponent($("#lineage-topic").value.trim())}`;
  });
  route();
});
