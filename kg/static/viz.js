/* kg graph view. Reads the view from the JSON block #kg-data and draws it with vis-network.
 * Page-level globals kept from pyvis pages: network (the vis.Network), nodes and edges (its
 * vis.DataSets), container, options, data. Node ids are the graph's ids.
 * Article text is only ever put into the page with textContent (never innerHTML). */
"use strict";
var network = null;
var nodes = null;
var edges = null;
var container = null;
var options = null;
var data = null;
performance.mark("kg-start");
var KG = JSON.parse(document.getElementById("kg-data").textContent);
performance.mark("kg-parsed");
window.kgReady = false;

var kgRecords = new Map();   // id -> record (concepts and keywords)
var kgState = { keywords: KG.showKeywords, missing: KG.showMissing, hidden: new Set(),
                highlight: null, lit: null, stabilized: !KG.physics };
var KG_EDGE = { color: "#9aa4b2", highlight: "#1f2430", hover: "#3b4350",
                opacity: KG.large ? 0.35 : 0.6, inherit: false };

function kgEl(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function kgRow(parent, key, text) {
  var row = kgEl("div", "kg-row");
  if (key) row.appendChild(kgEl("span", "kg-key", key + ": "));
  row.appendChild(document.createTextNode(String(text)));
  parent.appendChild(row);
  return row;
}

/* A card describing one node: labels in every language, description, keywords, anchor
 * texts. Built from DOM nodes and textContent only. */
function kgCard(r) {
  var card = kgEl("div", "kg-card");
  card.appendChild(kgEl("div", "kg-card-title", r.label));
  if (r.kind === "keyword") {
    card.appendChild(kgEl("div", "kg-card-id", "keyword · " + r.count + " concepts here"));
    return card;
  }
  var id = kgEl("div", "kg-card-id", r.id);
  if (r.missing) id.appendChild(kgEl("span", "kg-missing", " · no article yet"));
  card.appendChild(id);
  (r.labels || []).forEach(function (pair) {
    var row = kgEl("div", "kg-row");
    row.appendChild(kgEl("span", "kg-lang", pair[0]));
    row.appendChild(document.createTextNode(" " + pair[1]));
    card.appendChild(row);
  });
  if (r.desc) {
    var d = kgEl("div", "kg-row kg-desc");
    d.appendChild(kgEl("span", "kg-lang", r.descLang));
    d.appendChild(document.createTextNode(" " + r.desc));
    card.appendChild(d);
  }
  if (r.keywords && r.keywords.length) kgRow(card, "Keywords", r.keywords.join(", "));
  if (r.alt && r.alt.length) kgRow(card, "Also linked as", r.alt.join(" · "));
  kgRow(card, "", "links in: " + r["in"] + " · out: " + r.out);
  return card;
}

function kgVisNode(r) {
  var n = { id: r.id, label: r.label, x: r.x, y: r.y, title: kgCard(r) };
  if (r.kind === "keyword") {
    n.shape = "box";
    n.margin = 4;
    n.color = { background: "#fff4c2", border: "#c9a227",
                highlight: { background: "#ffe98a", border: "#8a6d00" },
                hover: { background: "#ffe98a", border: "#8a6d00" } };
    n.font = { size: 12, color: "#5c4a00" };
  } else {
    var g = KG.legend[r.group];
    n.value = r.value;
    if (r.missing) {
      n.color = { background: "#eeeeee", border: "#8c8c8c",
                  highlight: { background: "#f7f7f7", border: "#333333" },
                  hover: { background: "#f7f7f7", border: "#333333" } };
      n.shapeProperties = { borderDashes: [4, 3] };
      n.borderWidth = 1.5;
      n.font = { color: "#6f6f6f" };
    } else {
      n.color = { background: g.color, border: "rgba(0,0,0,0.45)",
                  highlight: { background: g.color, border: "#111111" },
                  hover: { background: g.color, border: "#111111" } };
      n.font = { color: "#1f2430" };
    }
    if (r.focus) { n.borderWidth = 4; n.color.border = "#111111"; }
    if (kgState.hidden.has(r.group)) n.hidden = true;
  }
  return n;
}

function kgWantedNode(r) {
  if (r.kind === "keyword") return kgState.keywords;
  return !r.missing || kgState.missing;
}

/* Make the DataSets hold exactly what the toggles ask for. */
function kgSync() {
  var addNodes = [], dropNodes = [];
  kgRecords.forEach(function (r, id) {
    var want = kgWantedNode(r), has = nodes.get(id) !== null;
    if (want && !has) addNodes.push(kgVisNode(r));
    if (!want && has) dropNodes.push(id);
  });
  var addEdges = [], dropEdges = [];
  kgAllEdges.forEach(function (e) {
    var want = kgWantedNode(kgRecords.get(e.from)) && kgWantedNode(kgRecords.get(e.to));
    var has = edges.get(e.id) !== null;
    if (want && !has) addEdges.push(e);
    if (!want && has) dropEdges.push(e.id);
  });
  if (dropEdges.length) edges.remove(dropEdges);
  if (dropNodes.length) nodes.remove(dropNodes);
  if (addNodes.length) nodes.add(addNodes);
  if (addEdges.length) edges.add(addEdges);
  if (kgState.highlight !== null) {
    if (nodes.get(kgState.highlight) === null) kgClearHighlight();
    else kgHighlight(kgState.highlight);
  }
  document.getElementById("kg-show-keywords").checked = kgState.keywords;
  document.getElementById("kg-show-missing").checked = kgState.missing;
  kgDrawLegend();
}

/* Dim everything but id and its neighbours (either direction): after vis-network draws,
 * veil the canvas and draw the neighbourhood again on top with vis-network's own node and
 * edge painters. No DataSet changes, so a click costs one redraw even on 5,000 nodes. */
function kgHighlight(id) {
  kgState.highlight = id;
  var keep = network.getConnectedNodes(id).concat([id]);
  kgState.lit = { nodes: keep, edges: network.getConnectedEdges(id) };
  network.redraw();
}

function kgClearHighlight() {
  if (kgState.highlight === null) return;
  kgState.highlight = null;
  kgState.lit = null;
  network.redraw();
}

function kgDrawLit(ctx) {
  var lit = kgState.lit;
  if (!lit) return;
  var body = network.body;
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "rgba(255,255,255,0.78)";
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.restore();
  var drawnEdges = lit.edges.map(function (e) { return body.edges[e]; })
    .filter(function (e) { return e && e.connected && !e.options.hidden; });
  drawnEdges.forEach(function (e) { e.draw(ctx); });
  drawnEdges.forEach(function (e) { e.drawArrows(ctx); });
  var labels = [];
  lit.nodes.forEach(function (n) {
    var node = body.nodes[n];
    if (!node || node.options.hidden) return;
    var out = node.draw(ctx);
    if (out && out.drawExternalLabel) labels.push(out.drawExternalLabel);
  });
  labels.forEach(function (draw) { draw(); });
}

function kgShowDetails(id) {
  var box = document.getElementById("kg-details");
  box.replaceChildren();
  if (id === null || !kgRecords.has(id)) { box.hidden = true; return; }
  box.appendChild(kgCard(kgRecords.get(id)));
  box.hidden = false;
}

/* Select, highlight and centre a node; turn on whatever hides it. */
function kgFocusNode(id) {
  var r = kgRecords.get(id);
  if (!r) return false;
  if (r.missing && !kgState.missing) { kgState.missing = true; kgSync(); }
  if (r.kind === "keyword" && !kgState.keywords) { kgState.keywords = true; kgSync(); }
  if (r.group !== undefined && kgState.hidden.has(r.group)) { kgToggleGroup(r.group); }
  network.selectNodes([id]);
  kgHighlight(id);
  kgShowDetails(id);
  network.focus(id, { scale: Math.max(network.getScale(), 1.1),
                      animation: { duration: 400, easingFunction: "easeInOutQuad" } });
  return true;
}

function kgToggleGroup(i) {
  var g = KG.legend[i];
  if (g.missing) { kgState.missing = !kgState.missing; kgSync(); return; }
  if (kgState.hidden.has(i)) kgState.hidden.delete(i); else kgState.hidden.add(i);
  var hide = kgState.hidden.has(i), updates = [];
  kgRecords.forEach(function (r, id) {
    if (r.kind !== "keyword" && r.group === i && nodes.get(id) !== null) {
      updates.push({ id: id, hidden: hide });
    }
  });
  nodes.update(updates);
  kgDrawLegend();
}

function kgDrawLegend() {
  var list = document.getElementById("kg-legend");
  list.replaceChildren();
  KG.legend.forEach(function (g, i) {
    if (g.missing && g.count === 0) return;
    var li = kgEl("li");
    li.setAttribute("data-group", String(i));
    li.title = g.missing ? "show or hide concepts without an article" : "show or hide this group";
    var sw = kgEl("span", "kg-swatch" + (g.missing ? " kg-dashed" : ""));
    sw.style.background = g.color;
    li.appendChild(sw);
    li.appendChild(kgEl("span", "kg-name", g.name));
    li.appendChild(kgEl("span", "kg-count", g.count.toLocaleString("en")));
    var off = g.missing ? !kgState.missing : kgState.hidden.has(i);
    if (off) li.classList.add("kg-off");
    li.addEventListener("click", function () { kgToggleGroup(i); });
    list.appendChild(li);
  });
}

/* ---- search over every label, in every language, and every anchor text ---- */
var kgIndex = [];
function kgFold(s) {
  return String(s).normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLocaleLowerCase();
}
function kgBuildIndex() {
  kgRecords.forEach(function (r, id) {
    if (r.kind === "keyword") return;
    var texts = [r.label, id];
    (r.labels || []).forEach(function (p) { texts.push(p[1]); });
    (r.alt || []).forEach(function (t) { texts.push(t); });
    var seen = new Set();
    texts.forEach(function (t) {
      var f = kgFold(t);
      if (!seen.has(f)) { seen.add(f); kgIndex.push([f, id, String(t)]); }
    });
  });
}
function kgSearch(query, limit) {
  var q = kgFold(query).trim();
  if (!q) return [];
  var best = new Map();
  kgIndex.forEach(function (entry) {
    var at = entry[0].indexOf(q);
    if (at < 0) return;
    var rank = entry[0] === q ? 0 : at === 0 ? 1 : 2;
    var old = best.get(entry[1]);
    if (!old || rank < old.rank) best.set(entry[1], { id: entry[1], rank: rank, text: entry[2] });
  });
  var found = Array.from(best.values());
  found.sort(function (a, b) {
    if (a.rank !== b.rank) return a.rank - b.rank;
    var la = kgRecords.get(a.id).label, lb = kgRecords.get(b.id).label;
    if (la.length !== lb.length) return la.length - lb.length;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return found.slice(0, limit || 10);
}
function kgShowResults() {
  var input = document.getElementById("kg-search");
  var list = document.getElementById("kg-results");
  list.replaceChildren();
  if (!input.value.trim()) return;
  var found = kgSearch(input.value, 10);
  if (!found.length) { list.appendChild(kgEl("li", "kg-none", "no concept matches")); return; }
  found.forEach(function (f, i) {
    var r = kgRecords.get(f.id);
    var li = kgEl("li", i === 0 ? "kg-active" : "", r.label);
    li.setAttribute("data-id", f.id);
    li.setAttribute("role", "option");
    if (kgFold(f.text) !== kgFold(r.label)) li.appendChild(kgEl("div", "kg-match", f.text));
    li.addEventListener("click", function () { kgFocusNode(f.id); });
    list.appendChild(li);
  });
}

/* ---- drawing ---- */
var kgAllEdges = [];
function drawGraph() {
  container = document.getElementById("mynetwork");
  KG.nodes.forEach(function (r) { kgRecords.set(r.id, r); });
  KG.keywords.forEach(function (r) { kgRecords.set(r.id, r); });
  KG.edges.forEach(function (e, i) {
    var edge = { id: "l" + i, from: e[0], to: e[1] };
    if (e[2] !== 1) edge.width = e[2];
    kgAllEdges.push(edge);
  });
  KG.keywordEdges.forEach(function (e, i) {
    kgAllEdges.push({ id: "k" + i, from: e[0], to: e[1], dashes: [2, 4],
                      arrows: { to: { enabled: false } } });
  });
  var shown = [];
  kgRecords.forEach(function (r) { if (kgWantedNode(r)) shown.push(kgVisNode(r)); });
  performance.mark("kg-nodes-built");
  nodes = new vis.DataSet(shown);
  edges = new vis.DataSet(kgAllEdges.filter(function (e) {
    return kgWantedNode(kgRecords.get(e.from)) && kgWantedNode(kgRecords.get(e.to));
  }));
  data = { nodes: nodes, edges: edges };
  options = {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 0 },
    nodes: {
      shape: "dot", borderWidth: 1, borderWidthSelected: 3,
      font: { size: 14, face: "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif",
              strokeWidth: 3, strokeColor: "rgba(255,255,255,0.85)" },
      scaling: { min: 6, max: 34,
                 label: { enabled: true, min: 11, max: 26, maxVisible: 26, drawThreshold: 7 } }
    },
    edges: {
      arrows: { to: { enabled: true, scaleFactor: 0.45 } },
      smooth: false, selectionWidth: 1.5, hoverWidth: 0.5, color: KG_EDGE
    },
    physics: {
      enabled: KG.physics, solver: "barnesHut",
      barnesHut: { gravitationalConstant: -3000, springLength: 110, springConstant: 0.03,
                   avoidOverlap: 0.2, damping: 0.3 },
      stabilization: { enabled: true, iterations: 300, updateInterval: 50, fit: true }
    },
    interaction: { hover: !KG.large, tooltipDelay: 120, hideEdgesOnDrag: KG.large,
                   hideEdgesOnZoom: KG.large, multiselect: false, navigationButtons: false,
                   keyboard: false }
  };
  performance.mark("kg-datasets");
  network = new vis.Network(container, data, options);
  performance.mark("kg-network");
  network.on("stabilizationIterationsDone", function () {
    kgState.stabilized = true;
    network.setOptions({ physics: { enabled: false } });
    network.redraw();
  });
  network.on("afterDrawing", function (ctx) {
    kgDrawLit(ctx);
    if (!window.kgReady && kgState.stabilized) {
      if (!KG.large && !kgState.framed && nodes.length > 1) {
        // leave a margin for labels (fit() only sees the dots); the next draw is final
        kgState.framed = true;
        network.moveTo({ scale: network.getScale() * 0.88 });
        return;
      }
      window.kgReady = true;
      window.kgReadyAt = performance.now();
      performance.mark("kg-ready");
      document.body.setAttribute("data-kg-ready", "1");
      if (KG.focus !== null && nodes.get(KG.focus) !== null) network.selectNodes([KG.focus]);
    }
  });
  if (KG.physics && nodes.length < 2) {
    kgState.stabilized = true;
    network.redraw();
  }
  network.on("click", function (p) {
    if (p.nodes.length) { kgHighlight(p.nodes[0]); kgShowDetails(p.nodes[0]); }
    else { kgClearHighlight(); kgShowDetails(null); }
  });
  return network;
}

function kgInit() {
  document.getElementById("kg-title").textContent = KG.title;
  document.getElementById("kg-subtitle").textContent = KG.subtitle;
  drawGraph();
  kgBuildIndex();
  kgDrawLegend();
  var kw = document.getElementById("kg-show-keywords");
  var ms = document.getElementById("kg-show-missing");
  kw.checked = kgState.keywords;
  ms.checked = kgState.missing;
  kw.addEventListener("change", function () { kgState.keywords = kw.checked; kgSync(); });
  ms.addEventListener("change", function () { kgState.missing = ms.checked; kgSync(); });
  var input = document.getElementById("kg-search");
  input.addEventListener("input", kgShowResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = kgSearch(input.value, 1);
      if (found.length) kgFocusNode(found[0].id);
    } else if (ev.key === "Escape") {
      input.value = "";
      kgShowResults();
    }
  });
}

kgInit();
