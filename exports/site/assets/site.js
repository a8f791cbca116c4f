/* zonegraph site: network views, the index search and entity-page graphs.
 * Data arrives as JSON in <script type="application/json">; everything from it is put into the page
 * with textContent or checked attributes, never as HTML. No network requests. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Only relative links and http(s) URLs become links; anything else stays text. Whitespace, control
  // characters and backslashes disqualify a URL: browsers drop them inside a scheme (" java\tscript:")
  // and read a leading "//" or "\\" as another host. graph.profile.safe_href is the same rule in Python.
  function safeHref(url) {
    if (typeof url !== "string" || url === "") return null;
    if (/[\u0000-\u0020\u007f\\]/.test(url)) return null;
    if (/^https?:\/\//i.test(url)) return url;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url)) return null;  // javascript:, data:, file:, …
    if (url.slice(0, 2) === "//") return null;
    return url;
  }

  function link(url, text) {
    var href = safeHref(url);
    if (!href) return el("span", {}, text);
    return el("a", {href: href}, text);
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function sourceList(sources) {
    var list = el("ul", {"class": "sources"});
    (sources || []).forEach(function (s) {
      var item = el("li");
      item.appendChild(link(s.page, s.title || s.page));
      if (s.locator) item.appendChild(el("span", {"class": "loc"}, " · " + s.locator));
      if (s.url) { item.appendChild(document.createTextNode(" ")); item.appendChild(link(s.url, "↗ source")); }
      list.appendChild(item);
    });
    return list;
  }

  function initView(data) {
    var container = document.getElementById("network");
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var hiddenClasses = {}, hiddenModes = {}, hiddenRels = {};
    var nodeView = new vis.DataView(nodes, {filter: function (n) { return !hiddenClasses[n.cls || "other"]; }});
    var edgeView = new vis.DataView(edges, {filter: function (e) { return !hiddenModes[e.mode] && !hiddenRels[e.rel]; }});
    var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, data.options);
    network.fit({animation: false});
    // a margin for the labels levelOfDetail enlarges after the fit (the fit only knew their old size)
    network.moveTo({scale: network.getScale() * 0.92, animation: false});
    window.zgNetwork = network;  // for tests and the curious
    // a zone in the map's legend opens like a click on the zone: its links, sources and neighbours
    if (data.map) drawMap(network, data, function (id) { network.selectNodes([id]); showNode(id); });
    levelOfDetail(network, nodes, data);
    window.zgData = {nodes: nodes, edges: edges};

    // legend + filters
    var present = {};
    data.nodes.forEach(function (n) { present[n.cls || "other"] = true; });
    var classBox = document.getElementById("class-filter") || el("div");
    data.legend.classes.forEach(function (c) {
      if (!present[c.cls]) return;
      var label = el("label", {"class": "legend-item"});
      var box = el("input", {type: "checkbox", "data-cls": c.cls});
      box.checked = true;
      box.addEventListener("change", function () { hiddenClasses[c.cls] = !box.checked; nodeView.refresh(); countShown(); });
      var swatch = el("span", {"class": "swatch"});
      swatch.style.background = c.color;
      label.appendChild(box); label.appendChild(swatch); label.appendChild(document.createTextNode(c.label));
      classBox.appendChild(label);
    });
    var modeBox = document.getElementById("mode-filter") || el("div");
    data.legend.modes.forEach(function (m) {
      var label = el("label", {"class": "legend-item"});
      var box = el("input", {type: "checkbox", "data-mode": m.mode});
      box.checked = true;
      box.addEventListener("change", function () { hiddenModes[m.mode] = !box.checked; edgeView.refresh(); countShown(); });
      var line = el("span", {"class": "line" + (m.dashed ? " dashed" : "")});
      line.style.borderColor = m.color;
      label.appendChild(box); label.appendChild(line); label.appendChild(document.createTextNode(m.mode));
      modeBox.appendChild(label);
    });
    var relBox = document.getElementById("rel-filter") || el("div");
    var rels = {};
    data.edges.forEach(function (e) { rels[e.rel] = (rels[e.rel] || 0) + 1; });
    Object.keys(rels).sort().forEach(function (rel) {
      var label = el("label", {"class": "legend-item"});
      var box = el("input", {type: "checkbox", "data-rel": rel});
      box.checked = true;
      box.addEventListener("change", function () { hiddenRels[rel] = !box.checked; edgeView.refresh(); countShown(); });
      label.appendChild(box); label.appendChild(document.createTextNode(rel + " (" + rels[rel] + ")"));
      relBox.appendChild(label);
    });
    function countShown() {
      var nc = document.getElementById("node-count"), ec = document.getElementById("edge-count");
      if (nc) nc.textContent = nodeView.length;
      if (ec) ec.textContent = edgeView.length;
    }

    // physics switch (off by default: positions come from Python)
    var physics = document.getElementById("physics");
    if (physics) physics.addEventListener("change", function () { network.setOptions({physics: {enabled: physics.checked}}); });

    // node search
    var select = document.getElementById("node-search");
    var ts = select && new TomSelect(select, {
      options: data.nodes.map(function (n) { return {value: n.id, text: n.zh + " · " + n.en + " · " + n.id}; }),
      maxOptions: 50, maxItems: 1,
      render: {option: function (d) { return el("div", {}, d.text); }, item: function (d) { return el("div", {}, d.text); }}
    });
    if (ts) ts.on("change", function (id) { if (id && byId[id]) { network.selectNodes([id]); network.focus(id, {scale: 1.2}); showNode(id); } });

    // details panel + neighbourhood highlight
    var details = document.getElementById("details") || el("div");
    var dimmed = false;
    function highlight(id) {
      var keep = {};
      keep[id] = true;
      network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
      nodes.update(data.nodes.map(function (n) { return {id: n.id, opacity: keep[n.id] ? 1 : 0.15}; }));
      dimmed = true;
    }
    function clearHighlight() {
      if (!dimmed) return;
      nodes.update(data.nodes.map(function (n) { return {id: n.id, opacity: 1}; }));
      dimmed = false;
    }
    function showNode(id) {
      var n = byId[id];
      details.textContent = "";
      details.appendChild(el("h2", {}, n.zh));
      details.appendChild(el("p", {"class": "en"}, n.en));
      details.appendChild(el("p", {"class": "cls"}, (n.cls || "") + " · " + n.id));
      details.appendChild(link(n.page, "entity page →"));
      var list = el("ul", {"class": "links"});
      data.edges.forEach(function (e) {
        if (e.from !== id && e.to !== id) return;
        var other = byId[e.from === id ? e.to : e.from];
        var item = el("li");
        item.appendChild(el("span", {"class": "rel mode-" + e.mode},
          (e.from === id ? "→ " : "← ") + e.rel + " "));
        item.appendChild(el("strong", {}, other ? other.zh : ""));
        if (e.valid[0] || e.valid[1]) item.appendChild(el("span", {"class": "valid"}, " (" + e.valid[0] + "–" + e.valid[1] + ")"));
        item.appendChild(sourceList(e.sources));
        list.appendChild(item);
      });
      details.appendChild(list);
      highlight(id);
    }
    function showEdge(eid) {
      var e = edges.get(eid);
      details.textContent = "";
      details.appendChild(el("h2", {}, e.rel));
      details.appendChild(el("p", {}, (byId[e.from] || {}).zh + " → " + (byId[e.to] || {}).zh));
      details.appendChild(el("p", {"class": "mode-" + e.mode}, e.mode));
      details.appendChild(sourceList(e.sources));
    }
    network.on("click", function (params) {
      if (params.nodes.length) showNode(params.nodes[0]);
      else if (params.edges.length) showEdge(params.edges[0]);
      else clearHighlight();
    });

    // tooltips: text only, line breaks via CSS
    var tip = document.getElementById("tooltip") || el("div");
    network.on("hoverNode", function (params) {
      var n = byId[params.node];
      var lines = [n.zh, n.en, (n.cls || "") + " · " + n.id];
      if (n.nsrc) lines.push("sources (" + n.nsrc + "): " + n.src.join("; ") + (n.nsrc > n.src.length ? "; …" : ""));
      lines.push("click for every source and link");
      tip.textContent = lines.join("\n");
      tip.hidden = false;
      tip.style.left = (params.event.center ? params.event.center.x : params.pointer.DOM.x) + 12 + "px";
      tip.style.top = (params.event.center ? params.event.center.y : params.pointer.DOM.y) + 12 + "px";
    });
    network.on("blurNode", function () { tip.hidden = true; });
    network.once("afterDrawing", function () { document.body.setAttribute("data-drawn", String(performance.now())); });
  }

  // The map under the geo view: provinces from the vendored basemap (assets/basemap-china.js), member
  // cities shaded in their zone's colour, a zone legend. Drawn in canvas coordinates before the
  // network, with the projection graph.viz.project used for the nodes' positions.
  function drawMap(network, data, openZone) {
    var m = data.map, base = window.ZG_BASEMAP || {features: [], grid: 100}, k = base.grid;
    var hosts = {};
    m.hosts.forEach(function (id) { hosts[id] = true; });
    var shapes = base.features.map(function (f) {
      var path = new Path2D();
      f.rings.forEach(function (r) {
        for (var i = 0; i < r.length; i += 2) {
          var x = (r[i] / k - m.lon0) * m.kx, y = -(r[i + 1] / k - m.lat0) * m.ky;
          if (i === 0) path.moveTo(x, y); else path.lineTo(x, y);
        }
        path.closePath();
      });
      return {id: f.id, path: path};
    });
    // fit the country, not the nodes: the west has few nodes but is part of the picture
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    base.features.forEach(function (f) {
      f.rings.forEach(function (r) {
        for (var i = 0; i < r.length; i += 2) {
          var x = (r[i] / k - m.lon0) * m.kx, y = -(r[i + 1] / k - m.lat0) * m.ky;
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        }
      });
    });
    var fittedTo = "";
    function fitCountry() {
      var box = document.getElementById("network").getBoundingClientRect();
      fittedTo = box.width + "x" + box.height;
      if (x1 > x0 && box.width && box.height)
        network.moveTo({position: {x: (x0 + x1) / 2, y: (y0 + y1) / 2}, animation: false,
                        scale: 0.96 * Math.min(box.width / (x1 - x0), box.height / (y1 - y0))});
    }
    fitCountry();
    // until the reader zooms or pans, a resized window shows the whole country again
    var touched = false;
    network.on("zoom", function () { touched = true; });
    network.on("dragStart", function () { touched = true; });
    // vis-network emits "resize" before it rescales the view for the new size, so the refit waits a frame
    network.on("resize", function () { fittedTo = ""; });
    network.on("afterDrawing", function () {
      var box = document.getElementById("network").getBoundingClientRect();
      if (!touched && box.width + "x" + box.height !== fittedTo) window.requestAnimationFrame(fitCountry);
    });
    var at = {};
    data.nodes.forEach(function (n) { at[n.id] = n; });
    var halos = m.members.filter(function (h) { return at[h.node]; });
    window.zgMap = {features: 0, zones: m.zones.length, members: 0};
    network.on("beforeDrawing", function (ctx) {
      var scale = network.getScale(), drawn = 0;
      ctx.save();
      ctx.lineJoin = "round";
      shapes.forEach(function (s) {
        ctx.fillStyle = hosts[s.id] ? "#e8edf3" : "#f8fafc";
        ctx.fill(s.path);
        ctx.strokeStyle = "#94a3b8";
        ctx.lineWidth = 1 / scale;
        ctx.stroke(s.path);
        drawn++;
      });
      ctx.globalAlpha = 0.45;
      halos.forEach(function (h) {
        var n = at[h.node];
        ctx.fillStyle = h.color;
        ctx.beginPath();
        ctx.arc(n.x, n.y, Math.max(14, 9 / scale), 0, 2 * Math.PI);
        ctx.fill();
      });
      ctx.restore();
      window.zgMap = {features: drawn, zones: m.zones.length, members: halos.length};
    });
    var legend = document.getElementById("zone-legend");
    if (legend) m.zones.forEach(function (z) {
      var item = el("button", {type: "button", "class": "legend-item zone", "data-zone": z.id, title: z.id});
      item.addEventListener("click", function () { openZone(z.id); });
      var swatch = el("span", {"class": "swatch"});
      swatch.style.background = z.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(z.label));
      legend.appendChild(item);
    });
  }

  // Levels of detail. Zones, macro-regions and provinces get labels of at least MAJOR_PX screen pixels
  // at any zoom; other labels keep their size and show once zoomed in enough (vis-network hides labels
  // under drawThreshold). A greedy pass over screen boxes hides lower-priority labels that would
  // overlap one already placed (zones first; a zone label tries below its node, then above, and is never hidden).
  var MAJOR_PX = 13;
  var HIDDEN_PX = 1;
  var PRIORITY = {"zg:DemonstrationZone": 0, "zg:MacroRegion": 1, "zg:ProvinceLevelRegion": 2};
  function levelOfDetail(network, nodes, data) {
    var base = (data.options.nodes && data.options.nodes.font && data.options.nodes.font.size) || 12;
    var threshold = ((((data.options.nodes || {}).scaling || {}).label || {}).drawThreshold) || 5;
    var order = data.nodes.slice().sort(function (a, b) {
      var pa = a.cls in PRIORITY ? PRIORITY[a.cls] : 9, pb = b.cls in PRIORITY ? PRIORITY[b.cls] : 9;
      return pa - pb || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    var pending = false, drawnAs = {};
    function textWidth(text, px) {
      var w = 0;
      for (var i = 0; i < text.length; i++) w += text.charCodeAt(i) > 0x2e80 ? px : px * 0.6;
      return w;
    }
    function apply() {
      pending = false;
      var scale = network.getScale();
      var positions = network.getPositions();
      var rect = document.getElementById("network").getBoundingClientRect();
      var grid = {}, cell = 64, updates = [], report = [], shownCount = 0, shownIds = [];
      function cells(b) {
        var out = [];
        for (var x = Math.floor(b.x0 / cell); x <= Math.floor(b.x1 / cell); x++)
          for (var y = Math.floor(b.y0 / cell); y <= Math.floor(b.y1 / cell); y++) out.push(x + "," + y);
        return out;
      }
      function free(b) {
        return cells(b).every(function (k) {
          return !(grid[k] || []).some(function (o) { return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1; });
        });
      }
      function shift(b, dy) { return {x0: b.x0, x1: b.x1, y0: b.y0 + dy, y1: b.y1 + dy}; }
      function take(b) { cells(b).forEach(function (k) { (grid[k] = grid[k] || []).push(b); }); }
      order.forEach(function (n) {
        var major = n.cls in PRIORITY;
        var size = major ? Math.max(base, MAJOR_PX / scale) : base;
        var px = size * scale;
        var p = positions[n.id];
        var shown = px >= threshold - 1 && !!p;
        var vadjust = 0;
        if (shown) {
          var c = network.canvasToDOM(p);
          var inView = c.x > -200 && c.y > -200 && c.x < rect.width + 200 && c.y < rect.height + 200;
          var w = textWidth(n.label || "", px), r = (n.size || 12) * scale;
          var below = {x0: c.x - w / 2, x1: c.x + w / 2, y0: c.y + r + 2, y1: c.y + r + 2 + px};
          var above = {x0: below.x0, x1: below.x1, y0: c.y - r - 4 - px, y1: c.y - r - 4};
          var slot = null;
          if (inView && free(below)) {
            slot = {box: below, dy: 0};
          } else if (inView && n.cls === "zg:DemonstrationZone") {
            // a zone label is never hidden: it tries above its node, then one and two lines further
            // down or up, before it gives in and overlaps
            var line = px + 3;
            var slots = [{box: above, dy: -(2 * r + px + 6)}];
            for (var k = 1; k <= 2; k++) {
              slots.push({box: shift(below, k * line), dy: k * line});
              slots.push({box: shift(above, -k * line), dy: -(2 * r + px + 6) - k * line});
            }
            slot = slots.filter(function (c) { return free(c.box); })[0] || {box: below, dy: 0};
          }
          if (!inView) {
            shown = major;
          } else if (slot) {
            take(slot.box);
            vadjust = slot.dy / scale;
          } else {
            shown = false;
          }
        }
        // a hidden label is made far smaller than vis-network's drawThreshold, not just under it: at
        // (threshold-2)/scale, any later change of scale the pass did not see (a resize rescales the
        // view) brought it back, faded but readable, on top of the labels placed here
        var font = {size: shown ? size : Math.min(size, HIDDEN_PX / scale), vadjust: vadjust};
        // only nodes that differ from their drawn state are updated (a DataSet update re-parses each node)
        var key = font.size + "/" + vadjust, was = drawnAs[n.id] || base + "/0";
        if (key !== was) {
          drawnAs[n.id] = key;
          // colour and shape repeated: an update without them lets the node's group restyle it
          updates.push({id: n.id, color: n.color, shape: n.shape, font: font});
        }
        if (font.size * scale >= threshold - 1) { shownCount++; shownIds.push(n.id); }
        if (major) report.push({id: n.id, cls: n.cls, px: shown ? Math.round(px * 10) / 10 : 0, shown: shown});
      });
      if (updates.length) nodes.update(updates);
      appliedScale = scale;
      window.zgLabels = {scale: scale, major: report, shown: shownCount, ids: shownIds};
    }
    var appliedScale = null;
    function schedule() { if (!pending) { pending = true; window.requestAnimationFrame(apply); } }
    apply();
    // every change of view gets a new pass: zoom, pan, and a resize (vis-network rescales the view to
    // keep the same area in a resized canvas, without a zoom event)
    network.on("zoom", schedule);
    network.on("dragEnd", schedule);
    network.on("resize", schedule);
    network.on("afterDrawing", function () { if (network.getScale() !== appliedScale) schedule(); });
  }

  function initSearch(index) {
    var input = document.getElementById("search");
    var results = document.getElementById("search-results");
    if (!input || !results) return;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      results.textContent = "";
      if (!q) return;
      var shown = 0;
      for (var i = 0; i < index.length && shown < 50; i++) {
        var e = index[i];
        if (e.terms.indexOf(q) === -1) continue;
        var item = el("li");
        item.appendChild(link(e.page, e.zh));
        item.appendChild(el("span", {"class": "en"}, " " + e.en + " · " + e.cls));
        results.appendChild(item);
        shown++;
      }
      if (!shown) results.appendChild(el("li", {}, "—"));
    });
  }

  var graphData = readJSON("graph-data");
  if (graphData) initView(graphData);
  var searchData = readJSON("search-data");
  if (searchData) initSearch(searchData);
})();
