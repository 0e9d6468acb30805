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

/* Fonts that reach the common Latin, CJK and Arabic system fonts of Linux, macOS and
 * Windows; the browser falls back glyph by glyph along this list. */
var KG_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", ' +
  'Arial, "Noto Sans CJK JP", "Noto Sans CJK SC", "Source Han Sans", "Hiragino Sans", ' +
  '"Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, "PingFang SC", "Microsoft YaHei", ' +
  '"Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans Arabic", "Noto Naskh Arabic", ' +
  '"Geeza Pro", "Segoe UI Arabic", Tahoma, "Noto Sans Hebrew", "DejaVu Sans", sans-serif';
var KG_LABEL_MAX = 28;        // characters of a label drawn on the canvas (the card has all)
var KG_CARD_LINKS = 25;       // links listed per direction in a card
var KG_LABELS_MAX = 400;      // labels drawn at most (more would not be read, and cost time)

var kgRecords = new Map();   // id -> record (concepts and keywords)
var kgOrder = [];            // concept ids, most important label first
var kgOut = new Map();       // id -> indexes into KG.edges of its links out (drawn)
var kgIn = new Map();        // id -> indexes of its links in
var kgState = { keywords: KG.showKeywords, missing: KG.showMissing, hidden: new Set(),
                highlight: null, lit: null, selected: null, stabilized: !KG.physics,
                labelled: [], labelBoxes: [] };
var KG_EDGE = { color: "#9aa4b2", highlight: "#1f2430", hover: "#3b4350",
                opacity: KG.large ? 0.35 : 0.6, inherit: false };

function kgEl(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/* Text of one language: its lang attribute (the right CJK glyphs) and direction. */
function kgText(tag, cls, text, lang) {
  var e = kgEl(tag, cls, text);
  if (lang) e.lang = lang;
  e.dir = "auto";
  if (lang && KG_RTL.test(lang)) e.dir = "rtl";
  return e;
}
var KG_RTL = /^(ar|arc|ckb|dv|fa|he|ks|ps|sd|ug|ur|yi)(-|$)/i;

function kgLangTag(lang) { return kgEl("span", "kg-lang", lang); }

function kgRow(parent, key, text) {
  var row = kgEl("div", "kg-row");
  if (key) row.appendChild(kgEl("span", "kg-key", key + ": "));
  row.appendChild(document.createTextNode(String(text)));
  parent.appendChild(row);
  return row;
}

/* The title of a record in the display language, with an "(en)" badge after a fall-back. */
function kgTitle(r, cls) {
  var t = kgEl("div", cls);
  t.appendChild(kgText("span", "", r.label, r.lang));
  if (r.fallback) {
    var badge = kgEl("span", "kg-badge", r.lang);
    badge.title = "no label in " + (KG.lang || "en") + "; shown in " + r.lang;
    t.appendChild(badge);
  }
  return t;
}

/* The small card of a hover: name, id, counts. */
function kgTip(r) {
  var card = kgEl("div", "kg-card");
  card.appendChild(kgTitle(r, "kg-card-title"));
  if (r.kind === "keyword") {
    card.appendChild(kgEl("div", "kg-card-id", "keyword · " + r.count + " concepts here"));
    return card;
  }
  var id = kgEl("div", "kg-card-id", r.id + " · links in " + r["in"] + " · out " + r.out);
  if (r.missing) id.appendChild(kgEl("span", "kg-missing", " · no article yet"));
  card.appendChild(id);
  if (r.desc) card.appendChild(kgText("div", "kg-row kg-desc kg-clip", r.desc, r.descLang));
  card.appendChild(kgEl("div", "kg-hint", "click for its links and sources"));
  return card;
}

function kgSourceHref(path) {
  if (!KG.sources) return null;
  return KG.sources + "/" + String(path).split("/").map(encodeURIComponent).join("/");
}

/* One sentence of evidence, the anchor text in bold. */
function kgSentence(ev) {
  var lang = ev[0], anchor = ev[1], section = ev[2], sentence = ev[3];
  var row = kgEl("div", "kg-ev");
  row.appendChild(kgLangTag(lang));
  var text = kgText("span", "kg-ev-text", null, lang);
  var at = anchor ? sentence.toLocaleLowerCase().indexOf(anchor.toLocaleLowerCase()) : -1;
  if (at >= 0) {
    text.appendChild(document.createTextNode(sentence.slice(0, at)));
    text.appendChild(kgEl("b", "", sentence.slice(at, at + anchor.length)));
    text.appendChild(document.createTextNode(sentence.slice(at + anchor.length)));
  } else {
    text.textContent = sentence;
    if (anchor) row.appendChild(kgEl("b", "kg-anchor", anchor + ": "));
  }
  row.appendChild(text);
  if (section) row.appendChild(kgText("span", "kg-section", "§ " + section, lang));
  return row;
}

/* Links out or in of a record: the other concept (click to go there), then the sentences
 * in which the link stands, the display language first. */
function kgLinks(card, r, dir) {
  var list = (dir === "out" ? kgOut : kgIn).get(r.id) || [];
  var total = dir === "out" ? r.out : r["in"];
  var box = kgEl("div", "kg-links kg-links-" + dir);
  box.appendChild(kgEl("div", "kg-card-h", (dir === "out" ? "Links out" : "Links in") +
                       " (" + total + ")"));
  list.slice(0, KG_CARD_LINKS).forEach(function (i) {
    var e = KG.edges[i];
    var other = kgRecords.get(dir === "out" ? e[1] : e[0]);
    var item = kgEl("div", "kg-link");
    var name = kgTitle(other, "kg-link-name");
    name.setAttribute("data-id", other.id);
    name.title = other.id;
    name.addEventListener("click", function () { kgFocusNode(other.id); });
    if (other.missing) name.appendChild(kgEl("span", "kg-missing", " · no article"));
    item.appendChild(name);
    ((KG.evidence || [])[i] || []).forEach(function (ev) { item.appendChild(kgSentence(ev)); });
    box.appendChild(item);
  });
  if (!KG.evidence && list.length) {
    box.appendChild(kgEl("div", "kg-hint", "sentences are left out of views this large: " +
                         "see them in a smaller view (--top, --focus) or with kg path"));
  }
  var more = total - Math.min(list.length, KG_CARD_LINKS);
  if (more > 0) {
    box.appendChild(kgEl("div", "kg-hint", more + " more not listed here (kg show " + r.id +
                         " lists them all)"));
  }
  card.appendChild(box);
}

/* The card of a selected node: labels in every language, description, keywords, source
 * files, anchor texts, and its links with their evidence. DOM nodes and textContent only. */
function kgCard(r) {
  var card = kgEl("div", "kg-card");
  card.appendChild(kgTitle(r, "kg-card-title"));
  if (r.kind === "keyword") {
    card.appendChild(kgEl("div", "kg-card-id", "keyword · " + r.count + " concepts here"));
    return card;
  }
  var id = kgEl("div", "kg-card-id", r.id);
  if (r.missing) id.appendChild(kgEl("span", "kg-missing", " · no article yet"));
  card.appendChild(id);
  (r.labels || []).forEach(function (pair) {
    var row = kgEl("div", "kg-row kg-label");
    row.appendChild(kgLangTag(pair[0]));
    row.appendChild(kgText("span", "", pair[1], pair[0]));
    card.appendChild(row);
  });
  if (r.desc) {
    var d = kgEl("div", "kg-row kg-desc");
    d.appendChild(kgLangTag(r.descLang));
    d.appendChild(kgText("span", "", r.desc, r.descLang));
    card.appendChild(d);
  }
  if (r.keywords && r.keywords.length) kgRow(card, "Keywords", r.keywords.join(", "));
  if (r.paths && r.paths.length) {
    var src = kgEl("div", "kg-row kg-sources");
    src.appendChild(kgEl("span", "kg-key", "Source: "));
    r.paths.forEach(function (pair) {
      var one = kgEl("span", "kg-source");
      one.appendChild(kgLangTag(pair[0]));
      var href = kgSourceHref(pair[1]);
      var link = kgEl(href ? "a" : "span", "", pair[1]);
      if (href) { link.href = href; link.target = "_blank"; link.rel = "noopener noreferrer"; }
      one.appendChild(link);
      src.appendChild(one);
    });
    card.appendChild(src);
  }
  if (r.alt && r.alt.length) kgRow(card, "Also linked as", r.alt.join(" · "));
  kgLinks(card, r, "out");
  kgLinks(card, r, "in");
  return card;
}

function kgVisNode(r) {
  var n = { id: r.id, x: r.x, y: r.y };
  if (r.kind === "keyword") {
    n.label = r.label;
    n.shape = "box";
    n.margin = 4;
    n.color = { background: "#fff4c2", border: "#c9a227",
                highlight: { background: "#ffe98a", border: "#8a6d00" },
                hover: { background: "#ffe98a", border: "#8a6d00" } };
    n.font = { size: 12, color: "#5c4a00", face: KG_FONT };
  } else {
    var g = KG.legend[r.group];
    n.size = r.size;
    if (r.missing) {
      n.color = { background: "#eeeeee", border: "#9a9a9a",
                  highlight: { background: "#f7f7f7", border: "#333333" },
                  hover: { background: "#f7f7f7", border: "#333333" } };
      n.shapeProperties = { borderDashes: [3, 2] };
      n.borderWidth = 1;
    } else {
      n.color = { background: g.color, border: "rgba(0,0,0,0.45)",
                  highlight: { background: g.color, border: "#111111" },
                  hover: { background: g.color, border: "#111111" } };
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

/* ---- labels: the most important first, each only where it collides with none drawn ---- */
function kgLabelStyle(r) {
  if (r.focus) return { px: 17, weight: "700 ", color: "#111111" };
  if (r.missing) return { px: 11, weight: "italic ", color: "#6f6f6f" };
  if (r.rank < 10) return { px: 15, weight: "600 ", color: "#1f2430" };
  if (r.rank < 40) return { px: 13.5, weight: "500 ", color: "#1f2430" };
  return { px: 12, weight: "", color: "#2b303a" };
}

function kgShortLabel(r) {
  if (r.short === undefined) {
    var chars = Array.from(r.label);
    r.short = chars.length > KG_LABEL_MAX ? chars.slice(0, KG_LABEL_MAX - 1).join("") + "…"
                                          : r.label;
  }
  return r.short;
}

var kgWidths = new Map();
function kgLabelWidth(ctx, r, font) {
  var key = r.id + "\u0000" + font;
  var w = kgWidths.get(key);
  if (w === undefined) {
    ctx.font = font;
    ctx.direction = r.rtl ? "rtl" : "ltr";
    w = ctx.measureText(kgShortLabel(r)).width;
    kgWidths.set(key, w);
  }
  return w;
}

/* Which labels fit at this zoom: in order of importance (the highlighted neighbourhood
 * first), a label is kept when its box, in screen pixels, overlaps no kept label and no
 * kept node's dot. Returns [{r, x, y, font, style}] in screen pixels. */
function kgPlaceLabels(ctx, width, height) {
  var body = network.body, view = body.view, scale = view.scale;
  var tx = view.translation.x, ty = view.translation.y;
  var CELL = 64, grid = new Map(), placed = [];
  function cells(b, fn) {
    var x0 = Math.floor(b[0] / CELL), x1 = Math.floor((b[0] + b[2]) / CELL);
    var y0 = Math.floor(b[1] / CELL), y1 = Math.floor((b[1] + b[3]) / CELL);
    for (var cx = x0; cx <= x1; cx++) {
      for (var cy = y0; cy <= y1; cy++) { if (fn(cx + "," + cy)) return true; }
    }
    return false;
  }
  function hits(b) {
    return cells(b, function (k) {
      var list = grid.get(k);
      if (!list) return false;
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (b[0] < o[0] + o[2] && o[0] < b[0] + b[2] && b[1] < o[1] + o[3] && o[1] < b[1] + b[3]) {
          return true;
        }
      }
      return false;
    });
  }
  function keep(b) {
    cells(b, function (k) {
      var list = grid.get(k);
      if (!list) grid.set(k, list = []);
      list.push(b);
      return false;
    });
  }
  var order = kgOrder;
  if (kgState.lit) {
    var lit = new Set(kgState.lit.nodes);
    order = [kgState.highlight].concat(kgOrder.filter(function (id) {
      return lit.has(id) && id !== kgState.highlight;
    }));
  }
  var tried = 0;
  for (var i = 0; i < order.length && placed.length < KG_LABELS_MAX && tried < 4 * KG_LABELS_MAX;
       i++) {
    var id = order[i], node = body.nodes[id];
    if (!node || node.options.hidden) continue;
    var r = kgRecords.get(id);
    var sx = node.x * scale + tx, sy = node.y * scale + ty;
    var rad = (node.options.size || r.size) * scale;
    if (sx < -200 || sy < -60 || sx > width + 200 || sy > height + 60) continue;
    tried += 1;
    var style = kgLabelStyle(r);
    // the 40 most important get a second try in a smaller font when nothing else is free
    var tries = r.rank < 40 && !r.missing ? [style, kgSmaller(style)] : [style];
    for (var t = 0; t < tries.length; t++) {
      if (kgPlace(ctx, r, tries[t], sx, sy, rad, width, height, hits, keep, placed)) break;
    }
  }
  return placed;
}

function kgSmaller(style) {
  return { px: 11, weight: style.weight, color: style.color, small: true };
}

/* Put r's label at the first free spot around its dot: below, above, right, left, then
 * the four corners (and, in a second try, on two rings farther out, tied to the dot by a
 * leader line). */
function kgPlace(ctx, r, style, sx, sy, rad, width, height, hits, keep, placed) {
  var font = style.weight + style.px + "px " + KG_FONT;
  var w = kgLabelWidth(ctx, r, font), h = style.px * 1.3, d = rad * 0.75;
  var spots = [[sx, sy + rad + 1], [sx, sy - rad - 1 - h], [sx + rad + 3 + w / 2, sy - h / 2],
               [sx - rad - 3 - w / 2, sy - h / 2], [sx + d + w / 2, sy + d],
               [sx - d - w / 2, sy + d], [sx + d + w / 2, sy - d - h],
               [sx - d - w / 2, sy - d - h]];
  var near = spots.length;
  if (style.small) {  // a second try: farther out, on two rings, with a leader line
    [rad + 18, rad + 40].forEach(function (ring) {
      for (var k = 0; k < 12; k++) {
        var angle = Math.PI / 2 + k * Math.PI / 6;
        var cx = sx + Math.cos(angle) * (ring + w / 2), cy = sy + Math.sin(angle) * ring;
        spots.push([cx, cy - h / 2]);
      }
    });
  }
  for (var j = 0; j < spots.length; j++) {
    var box = [spots[j][0] - w / 2 - 1, spots[j][1], w + 2, h];
    if (box[0] < 0 || box[1] < 0 || box[0] + box[2] > width || box[1] + box[3] > height) {
      continue;
    }
    if (hits(box)) continue;
    keep(box);
    keep([sx - rad, sy - rad, 2 * rad, 2 * rad]);
    placed.push({ r: r, x: spots[j][0], y: spots[j][1], font: font, style: style, box: box,
                  leader: j >= near ? [sx, sy] : null });
    return true;
  }
  return false;
}

function kgDrawLabels(ctx) {
  var ratio = (network.canvas && network.canvas.pixelRatio) || window.devicePixelRatio || 1;
  var width = ctx.canvas.width / ratio, height = ctx.canvas.height / ratio;
  ctx.save();
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  var placed = kgPlaceLabels(ctx, width, height);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "rgba(60,67,80,0.55)";
  ctx.lineWidth = 1;
  placed.forEach(function (p) {  // a label set apart from its dot is tied to it by a line
    if (!p.leader) return;
    var tx = Math.max(p.box[0], Math.min(p.leader[0], p.box[0] + p.box[2]));
    var ty = p.leader[1] < p.box[1] ? p.box[1] : p.box[1] + p.box[3];
    ctx.beginPath();
    ctx.moveTo(p.leader[0], p.leader[1]);
    ctx.lineTo(tx, ty);
    ctx.stroke();
  });
  placed.forEach(function (p) {
    ctx.font = p.font;
    ctx.direction = p.r.rtl ? "rtl" : "ltr";
    ctx.lineWidth = 3.5;
    ctx.strokeStyle = "rgba(255,255,255,0.92)";
    ctx.strokeText(kgShortLabel(p.r), p.x, p.y);
    ctx.fillStyle = p.style.color;
    ctx.fillText(kgShortLabel(p.r), p.x, p.y);
  });
  ctx.restore();
  kgState.labelled = placed.map(function (p) { return p.r.id; });
  kgState.labelBoxes = placed.map(function (p) { return p.box; });
}

/* ---- the card of the selected node, and a small tip on hover when nothing is selected ---- */
function kgShowDetails(id) {
  var box = document.getElementById("kg-details");
  box.replaceChildren();
  kgHideTip();
  if (id === null || !kgRecords.has(id)) {
    kgState.selected = null;
    box.hidden = true;
    return;
  }
  kgState.selected = id;
  box.appendChild(kgCard(kgRecords.get(id)));
  box.hidden = false;
}

function kgHideTip() {
  var tip = document.getElementById("kg-tooltip");
  tip.hidden = true;
  tip.removeAttribute("data-id");
}

function kgHover(x, y) {
  var tip = document.getElementById("kg-tooltip");
  if (kgState.selected !== null || network === null) { kgHideTip(); return; }
  var id = network.getNodeAt({ x: x, y: y });
  if (id === undefined || !kgRecords.has(id)) { kgHideTip(); return; }
  if (tip.getAttribute("data-id") !== String(id)) {
    tip.replaceChildren(kgTip(kgRecords.get(id)));
    tip.setAttribute("data-id", String(id));
  }
  var area = container.getBoundingClientRect();
  tip.style.left = Math.min(area.left + x + 14, window.innerWidth - 330) + "px";
  tip.style.top = Math.min(area.top + y + 14, window.innerHeight - 120) + "px";
  tip.hidden = false;
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

/* ---- search over every label, in every language, and every anchor text ----
 * The key is kg find's (kg.text.search_key): NFKC, case folded (a dotted or dotless
 * Turkish i is an i), Arabic diacritics (U+064B-U+065F, U+0670) and tatweel (U+0640)
 * removed; a query matches a key it is a substring of. Latin accents are also ignored
 * (a second, looser key), so "tamod" finds "Tålamod". */
function kgSearchKey(s) {
  return String(s).normalize("NFKC")
    .replace(/[\u0130\u0131]/g, "i")
    .toLowerCase()
    .replace(/\u0069\u0307/g, "i")
    .replace(/\u00df/g, "ss").replace(/\u1e9e/g, "ss").replace(/\u03c2/g, "\u03c3")
    .replace(/[\u064b-\u065f\u0670\u0640]/g, "")
    .replace(/\s+/g, " ");
}
function kgLooseKey(key) {
  return key.normalize("NFD").replace(/[\u0300-\u036f]/g, "").normalize("NFC");
}
var kgIndex = [];
function kgBuildIndex() {
  kgRecords.forEach(function (r, id) {
    if (r.kind === "keyword") return;
    var texts = [r.label, id];
    (r.labels || []).forEach(function (p) { texts.push(p[1]); });
    (r.alt || []).forEach(function (t) { texts.push(t); });
    var seen = new Set();
    texts.forEach(function (t) {
      var k = kgSearchKey(t);
      if (!seen.has(k)) { seen.add(k); kgIndex.push([k, kgLooseKey(k), id, String(t)]); }
    });
  });
}
function kgSearch(query, limit) {
  var q = kgSearchKey(query).trim();
  if (!q) return [];
  var loose = kgLooseKey(q);
  var best = new Map();
  kgIndex.forEach(function (entry) {
    var at = entry[0].indexOf(q), exact = at >= 0;
    if (!exact) at = entry[1].indexOf(loose);
    if (at < 0) return;
    var whole = exact ? entry[0] === q : entry[1] === loose;
    var rank = (whole ? 0 : at === 0 ? 1 : 2) + (exact ? 0 : 3);
    var old = best.get(entry[2]);
    if (!old || rank < old.rank) best.set(entry[2], { id: entry[2], rank: rank, text: entry[3] });
  });
  var found = Array.from(best.values());
  found.sort(function (a, b) {
    if (a.rank !== b.rank) return a.rank - b.rank;
    var ra = kgRecords.get(a.id).rank, rb = kgRecords.get(b.id).rank;
    if (ra !== rb) return ra - rb;
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
    var li = kgEl("li", i === 0 ? "kg-active" : "");
    li.appendChild(kgTitle(r, "kg-result-name"));
    li.setAttribute("data-id", f.id);
    li.setAttribute("role", "option");
    if (kgSearchKey(f.text) !== kgSearchKey(r.label)) {
      li.appendChild(kgText("div", "kg-match", f.text));
    }
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
  kgOrder = KG.nodes.slice().sort(function (a, b) { return a.rank - b.rank; })
    .map(function (r) { return r.id; });
  KG.edges.forEach(function (e, i) {
    var edge = { id: "l" + i, from: e[0], to: e[1] };
    if (e[2] !== 1) edge.width = e[2];
    kgAllEdges.push(edge);
    if (!kgOut.has(e[0])) kgOut.set(e[0], []);
    if (!kgIn.has(e[1])) kgIn.set(e[1], []);
    kgOut.get(e[0]).push(i);
    kgIn.get(e[1]).push(i);
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
      font: { size: 14, face: KG_FONT, strokeWidth: 3, strokeColor: "rgba(255,255,255,0.85)" }
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
    kgDrawLabels(ctx);
    if (!window.kgReady && kgState.stabilized) {
      if (!KG.large && !kgState.framed && nodes.length > 1) {
        // frame the concepts with an article (concepts without one sit around them, and
        // may fall outside), and leave a margin for labels; the next draw is final
        kgState.framed = true;
        var core = kgOrder.filter(function (id) {
          var r = kgRecords.get(id);
          return (!r.missing || r.focus) && nodes.get(id) !== null;
        });
        var fit = { animation: false, maxZoomLevel: 1.6 };  // a small graph is drawn larger
        if (core.length > 1 && core.length < nodes.length) fit.nodes = core;
        network.fit(fit);
        network.moveTo({ scale: network.getScale() * 0.9 });
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
  var pending = null;
  container.addEventListener("mousemove", function (ev) {
    var area = container.getBoundingClientRect();
    pending = [ev.clientX - area.left, ev.clientY - area.top];
    window.requestAnimationFrame(function () {
      if (pending) { kgHover(pending[0], pending[1]); pending = null; }
    });
  });
  container.addEventListener("mouseleave", kgHideTip);
  network.on("dragStart", kgHideTip);
  network.on("zoom", kgHideTip);
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
