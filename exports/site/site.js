/* kg concept site: search across every label, alternative label and keyword, offline.
 *
 * The index is loaded only when the search box is first used, by adding <script> elements
 * for search/*.js (fetch() of a file:// URL is refused by browsers; a script is not). Each
 * file adds its part to window.kgSearchData. Every result is built with textContent: text
 * of the articles is never parsed as HTML.
 */
(function () {
  "use strict";
  var box = document.getElementById("kg-search");
  if (!box) { return; }
  var input = document.getElementById("kg-q");
  var list = document.getElementById("kg-results");
  var status = document.getElementById("kg-status");
  var root = box.getAttribute("data-root") || "";
  var langs = (box.getAttribute("data-langs") || "").split(" ").filter(Boolean);
  var data = window.kgSearchData = window.kgSearchData || {};
  var entries = [];
  var concepts = null;
  var started = false, pending = 0, failed = [];
  var results = [], active = -1, timer = 0;
  var MAX_RESULTS = 12;
  var NOT_WORD = /[^\p{L}\p{N}]+/u;
  var MARKS = /\p{M}/gu;

  box.hidden = false;

  function fold(text) {
    return text.normalize("NFKD").replace(MARKS, "").toLowerCase().replace(/\s+/g, " ").trim();
  }

  function words(text) {
    return text.split(NOT_WORD).filter(Boolean).slice(0, 8);
  }

  function say(text) { status.textContent = text; }

  function load() {
    if (started) { return; }
    started = true;
    var files = ["concepts", "keywords"].concat(langs.map(function (l) { return "index-" + l; }));
    pending = files.length;
    say("Loading the search index…");
    files.forEach(function (name) {
      var script = document.createElement("script");
      script.src = root + "search/" + name + ".js";
      script.onload = function () { take(name); settle(); };
      script.onerror = function () { failed.push(name); settle(); };
      document.head.appendChild(script);
    });
  }

  function take(name) {
    var rows, i;
    if (name === "concepts") {
      concepts = data.concepts || [];
      delete data.concepts;
      return;
    }
    if (name === "keywords") {
      rows = data.keywords || [];
      delete data.keywords;
      for (i = 0; i < rows.length; i++) {
        add(rows[i][0], "", -1, 2, rows[i][1], rows[i][2]);
      }
      return;
    }
    var lang = name.slice("index-".length);
    rows = data["lang:" + lang] || [];
    delete data["lang:" + lang];
    for (i = 0; i < rows.length; i++) {
      add(rows[i][0], lang, rows[i][1], rows[i][2], "", 0);
    }
  }

  function add(term, lang, concept, kind, stem, count) {
    var n = fold(term);
    if (!n) { return; }
    entries.push({ t: term, n: n, w: words(n), l: lang, c: concept, k: kind, s: stem, m: count });
  }

  function settle() {
    pending -= 1;
    if (pending > 0) { return; }
    if (failed.length) {
      say("Part of the search index could not be loaded (" + failed.join(", ") + ").");
    } else {
      say("");
    }
    if (input.value.trim()) { search(); }
  }

  /* Edit distance (insertions, deletions, substitutions, swaps of neighbours) between q and
   * the best prefix of s, or max + 1 when it is more than max. */
  function prefixDistance(q, s, max) {
    var m = q.length, n = Math.min(s.length, m + max), i, j, best;
    if (n < m - max) { return max + 1; }
    var prev2 = null, prev = new Array(n + 1), row;
    for (j = 0; j <= n; j++) { prev[j] = j; }
    for (i = 1; i <= m; i++) {
      row = new Array(n + 1);
      row[0] = i;
      var low = row[0];
      for (j = 1; j <= n; j++) {
        var cost = q.charCodeAt(i - 1) === s.charCodeAt(j - 1) ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && q.charCodeAt(i - 1) === s.charCodeAt(j - 2) &&
            q.charCodeAt(i - 2) === s.charCodeAt(j - 1)) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        row[j] = v;
        if (v < low) { low = v; }
      }
      if (low > max) { return max + 1; }
      prev2 = prev;
      prev = row;
    }
    best = max + 1;
    for (j = Math.max(0, m - max); j <= n; j++) { if (prev[j] < best) { best = prev[j]; } }
    return best;
  }

  function score(e, q, qw) {
    var n = e.n, i, d, max;
    if (n === q) { return 100; }
    if (n.lastIndexOf(q, 0) === 0) { return 90 - Math.min(n.length - q.length, 40) / 10; }
    i = n.indexOf(q);
    if (i > 0) { return NOT_WORD.test(n.charAt(i - 1)) ? 75 : 55; }
    if (qw.length > 1 && qw.every(function (w) {
      return e.w.some(function (x) { return x.lastIndexOf(w, 0) === 0; });
    })) { return 65; }
    if (q.length < 4) { return 0; }
    max = q.length >= 8 ? 2 : 1;
    d = prefixDistance(q, n, max);
    for (i = 1; i < e.w.length && d > 0; i++) {
      d = Math.min(d, prefixDistance(q, e.w[i], max));
    }
    return d <= max ? 40 - d * 10 : 0;
  }

  function search() {
    var q = fold(input.value);
    results = [];
    active = -1;
    if (!q) { show(); return; }
    if (!concepts) { load(); return; }
    var qw = words(q), best = {}, i, e, s, key;
    for (i = 0; i < entries.length; i++) {
      e = entries[i];
      s = score(e, q, qw);
      if (s <= 0) { continue; }
      key = e.k === 2 ? "k:" + e.s : "c:" + e.c;
      if (!best[key] || s > best[key].score ||
          (s === best[key].score && e.t.length < best[key].e.t.length)) {
        best[key] = { score: s, e: e };
      }
    }
    results = Object.keys(best).map(function (k) { return best[k]; });
    results.sort(function (a, b) {
      return b.score - a.score || a.e.t.length - b.e.t.length ||
        (a.e.t < b.e.t ? -1 : a.e.t > b.e.t ? 1 : 0);
    });
    var total = results.length;
    results = results.slice(0, MAX_RESULTS);
    show();
    if (pending > 0) { return; }
    say(total ? (total === 1 ? "1 match" : total + " matches") + (total > MAX_RESULTS ? ", the best " + MAX_RESULTS + " shown" : "")
      : "Nothing found for “" + input.value.trim() + "”.");
  }

  function href(r) {
    if (r.e.k === 2) { return root + "keyword/" + encodeURIComponent(r.e.s) + ".html"; }
    return root + "concept/" + encodeURIComponent(concepts[r.e.c][0]) + ".html";
  }

  function span(cls, text, lang) {
    var el = document.createElement("span");
    el.className = cls;
    el.textContent = text;
    if (lang) { el.setAttribute("lang", lang); }
    return el;
  }

  function show() {
    list.textContent = "";
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.id = "kg-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      var a = document.createElement("a");
      a.href = href(r);
      a.tabIndex = -1;
      a.appendChild(span("term", r.e.t, r.e.l));
      var meta;
      if (r.e.k === 2) {
        meta = " · keyword, " + r.e.m + (r.e.m === 1 ? " concept" : " concepts");
        a.appendChild(span("meta", meta, ""));
      } else {
        var c = concepts[r.e.c];
        a.appendChild(span("meta", " · " + (r.e.k === 0 ? "title" : "also called") + (r.e.l ? " (" + r.e.l + ")" : ""), ""));
        if (c[1] !== r.e.t) {
          a.appendChild(span("meta", " → ", ""));
          a.appendChild(span("meta", c[1], c[2]));
        }
        if (!c[3]) { a.appendChild(span("meta", " · no article yet", "")); }
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    var open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", "kg-opt-" + active);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function move(step) {
    if (!results.length) { return; }
    active = (active + step + results.length + 1) % (results.length + 1);
    if (active === results.length) { active = -1; }
    show();
    if (active >= 0) { document.getElementById("kg-opt-" + active).scrollIntoView({ block: "nearest" }); }
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () {
    load();
    clearTimeout(timer);
    timer = setTimeout(search, 60);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Enter") {
      clearTimeout(timer);
      if (!results.length) { search(); }
      var chosen = results[active >= 0 ? active : 0];
      if (chosen) { ev.preventDefault(); window.location.href = href(chosen); }
    } else if (ev.key === "Escape") {
      if (results.length) { results = []; active = -1; show(); } else { input.value = ""; say(""); }
    }
  });
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (ev.key === "/" && tag !== "INPUT" && tag !== "TEXTAREA" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      input.focus();
    }
  });
  document.addEventListener("click", function (ev) {
    if (!box.contains(ev.target) && results.length) { results = []; active = -1; show(); }
  });
})();
