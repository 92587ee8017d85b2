// Samhandlingsgraf explorer: search, expand, filter, size by a measure, find paths.
// Every text from the graph reaches the page through textContent or as a vis-network label
// (drawn on a canvas) or string tooltip (shown with innerText); never through innerHTML.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("explorer-config").textContent);
  const kindInfo = Object.fromEntries(config.kinds.map((k) => [k.kind, k]));
  const relInfo = Object.fromEntries(config.rels.map((r) => [r.type, r]));
  const CLUSTER_MIN = 10;
  const PAGE = 50;

  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const state = {
    kinds: new Set(Object.keys(kindInfo)),
    rels: new Set(Object.keys(relInfo)),
    pinned: new Set(), // always shown whatever the filters (focus, path)
    expanded: new Map(), // id -> {shown, total}
    openedGroups: new Set(), // "hub|kind" groups the user opened
    pathNodes: new Set(),
    pathEdges: new Set(),
    physics: true,
    selected: null,
    cut: null,
    busy: 0,
    ready: false,
    errors: [],
  };

  function visibleEdge(e) {
    return state.rels.has(e.relType) || state.pathEdges.has(e.id);
  }
  const allRels = () => state.rels.size === Object.keys(relInfo).length;
  let linked = null; // ids with a visible edge, when relationship types are narrowed
  function visibleNode(n) {
    if (state.pinned.has(n.id)) return true;
    if (!state.kinds.has(n.kind)) return false;
    return linked === null || linked.has(n.id);
  }
  const nodesView = new vis.DataView(nodes, { filter: visibleNode });
  const edgesView = new vis.DataView(edges, {
    filter: (e) => visibleEdge(e) && visibleNode(nodes.get(e.from) || {}) && visibleNode(nodes.get(e.to) || {}),
  });

  const container = document.getElementById("graph");
  const network = new vis.Network(container, { nodes: nodesView, edges: edgesView }, {
    physics: { enabled: true, solver: "forceAtlas2Based", stabilization: { iterations: 300 } },
    interaction: { hover: true, tooltipDelay: 150 },
    edges: { font: { size: 10, align: "middle" }, smooth: false },
    nodes: { font: { size: 14 } },
  });
  window.explorer = { network: network, nodes: nodes, edges: edges, state: state };

  // ---------------------------------------------------------------- helpers
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  async function api(url, body) {
    state.busy++;
    try {
      const res = await fetch(url, body === undefined ? {} : {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const data = (res.headers.get("content-type") || "").includes("json") ? await res.json() : null;
      if (!res.ok) {
        const err = new Error((data && (data.detail || data.title)) || res.statusText);
        err.status = res.status;
        throw err;
      }
      return data;
    } finally {
      state.busy--;
    }
  }
  function showError(where, err) {
    state.errors.push(String(err.message || err));
    where.textContent = "";
    where.append(el("p", "Feil: " + (err.message || err), "error"));
  }

  // ---------------------------------------------------------------- filters
  function refresh() {
    openAllClusters();
    linked = null;
    if (!allRels()) {
      linked = new Set();
      edges.forEach((e) => {
        if (visibleEdge(e) && (state.kinds.has(kindOf(e.from)) || state.pinned.has(e.from))
            && (state.kinds.has(kindOf(e.to)) || state.pinned.has(e.to))) {
          linked.add(e.from);
          linked.add(e.to);
        }
      });
    }
    nodesView.refresh();
    edgesView.refresh();
    applySize();
    cluster();
    updateStatus();
  }
  const kindOf = (id) => (nodes.get(id) || {}).kind;

  const presetSel = document.getElementById("preset");
  config.presets.forEach((p) => presetSel.append(new Option(p.label, p.key)));
  const kindBoxes = {}, relBoxes = {};
  config.kinds.forEach((k) => {
    const box = el("input"); box.type = "checkbox"; box.checked = true; box.value = k.kind;
    const sw = el("span", null, "swatch shape-" + k.shape); sw.style.background = k.colour;
    const lab = el("label"); lab.append(box, sw, el("span", k.label));
    document.getElementById("kind-filter").append(lab);
    kindBoxes[k.kind] = box;
    box.addEventListener("change", () => { box.checked ? state.kinds.add(k.kind) : state.kinds.delete(k.kind); refresh(); });
  });
  config.rels.forEach((r) => {
    const box = el("input"); box.type = "checkbox"; box.checked = true; box.value = r.type;
    const ln = el("span", null, "line" + (r.dashes ? " dashed" : "")); ln.style.borderColor = r.colour;
    const lab = el("label"); lab.append(box, ln, el("span", r.label));
    document.getElementById("rel-filter").append(lab);
    relBoxes[r.type] = box;
    box.addEventListener("change", () => { box.checked ? state.rels.add(r.type) : state.rels.delete(r.type); refresh(); });
  });
  presetSel.addEventListener("change", () => {
    const p = config.presets.find((x) => x.key === presetSel.value);
    state.kinds = new Set(p.kinds);
    state.rels = new Set(p.rels);
    Object.entries(kindBoxes).forEach(([k, b]) => { b.checked = state.kinds.has(k); });
    Object.entries(relBoxes).forEach(([t, b]) => { b.checked = state.rels.has(t); });
    refresh();
    relax(150).then(() => network.fit({ animation: false })); // the view is a new picture
  });

  // ---------------------------------------------------------------- node size
  const sizeSel = document.getElementById("size-by");
  let betweenness = {};
  async function applySize() {
    const shown = nodesView.getIds();
    if (sizeSel.value === "betweenness") {
      try {
        betweenness = await api("/explorer/measures", { ids: shown });
      } catch (err) {
        showError(document.getElementById("status"), err);
        return;
      }
    }
    const degree = {};
    edgesView.forEach((e) => { degree[e.from] = (degree[e.from] || 0) + 1; degree[e.to] = (degree[e.to] || 0) + 1; });
    nodes.update(shown.map((id) => ({
      id: id,
      size: sizeSel.value === "betweenness"
        ? 10 + 35 * ((betweenness[id] || {}).betweenness || 0)
        : 12 + Math.min(degree[id] || 0, 20),
    })));
  }
  sizeSel.addEventListener("change", applySize);

  // ---------------------------------------------------------------- clustering
  const clusterBox = document.getElementById("cluster");
  function openAllClusters() {
    Object.keys(network.body.nodes).forEach((id) => { if (network.isCluster(id)) network.openCluster(id); });
  }
  // A node with CLUSTER_MIN or more neighbours of one kind (a programme with 60 participating
  // municipalities) shows them as one group node; their other relationships attach to it.
  function cluster() {
    if (!clusterBox.checked) return;
    const neighbours = {};
    edgesView.forEach((e) => {
      (neighbours[e.from] = neighbours[e.from] || new Set()).add(e.to);
      (neighbours[e.to] = neighbours[e.to] || new Set()).add(e.from);
    });
    const protect = new Set([state.selected, ...state.pinned, ...state.pathNodes, ...state.expanded.keys()]);
    const taken = new Set();
    const hubs = Object.keys(neighbours).filter((id) => neighbours[id].size >= CLUSTER_MIN);
    hubs.sort((a, b) => neighbours[b].size - neighbours[a].size);
    const isHub = new Set(hubs);
    hubs.forEach((hub) => {
      if (taken.has(hub)) return;
      const groups = {};
      neighbours[hub].forEach((id) => {
        if (protect.has(id) || isHub.has(id) || taken.has(id)) return;
        const k = kindOf(id);
        (groups[k] = groups[k] || []).push(id);
      });
      Object.entries(groups).forEach(([kind, ids]) => {
        const key = hub + "|" + kind;
        if (ids.length < CLUSTER_MIN || state.openedGroups.has(key)) return;
        ids.forEach((id) => taken.add(id));
        const members = new Set(ids);
        const info = kindInfo[kind] || { colour: "#999", plural: kind, shape: "dot" };
        const what = ids.length + " " + info.plural.toLowerCase();
        network.cluster({
          joinCondition: (n) => members.has(n.id),
          clusterNodeProperties: {
            id: "cluster:" + key, label: what, title: "Gruppe: " + what + " (klikk for å åpne)",
            shape: info.shape === "box" ? "box" : "dot", size: 26, color: info.colour, borderWidth: 3,
            font: { size: 15, strokeWidth: 4 }, groupKey: key,
          },
        });
      });
    });
  }
  clusterBox.addEventListener("change", refresh);

  // ---------------------------------------------------------------- loading data
  function placeAround(parentId, newNodes) {
    const pos = parentId && network.body.nodes[parentId] ? network.getPositions([parentId])[parentId] : null;
    if (!pos) return newNodes;
    const r = 120 + 4 * newNodes.length;
    return newNodes.map((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(newNodes.length, 1);
      return Object.assign({}, n, { x: pos.x + r * Math.cos(a), y: pos.y + r * Math.sin(a) });
    });
  }
  function merge(data, parentId) {
    openAllClusters();
    const fresh = data.nodes.filter((n) => !nodes.get(n.id));
    nodes.add(placeAround(parentId, fresh.map((n) => {
      const copy = Object.assign({}, n);
      if (!state.physics) { delete copy.physics; }
      return copy;
    })));
    edges.update(data.edges);
    return fresh.length;
  }
  // Lets the layout settle, then freezes it (a still picture can be read and clicked).
  // Large graphs (positions from the server) are never simulated.
  function relax(iterations) {
    if (!state.physics) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        network.off("stabilizationIterationsDone", done);
        network.setOptions({ physics: { enabled: false } });
        resolve();
      };
      const timer = setTimeout(done, 15000);
      network.on("stabilizationIterationsDone", done);
      network.setOptions({ physics: { enabled: true } });
      network.stabilize(iterations);
    });
  }
  async function loadGraph(focus, limit) {
    const params = new URLSearchParams({ limit: String(limit || 300) });
    if (focus) { params.set("focus", focus); params.set("hops", "1"); }
    const data = await api("/explorer/graph?" + params);
    openAllClusters();
    nodes.clear(); edges.clear();
    state.expanded.clear(); state.openedGroups.clear(); state.pathNodes.clear(); state.pathEdges.clear();
    state.pinned = new Set(focus ? [focus] : []);
    state.physics = data.options.physics.enabled;
    network.setOptions({ physics: Object.assign({}, data.options.physics, { enabled: false }) });
    nodes.add(data.nodes);
    edges.add(data.edges);
    state.cut = data.total > data.shown ? { total: data.total, shown: data.shown, focus: focus } : null;
    if (focus) state.expanded.set(focus, { shown: data.nodes.length - 1, total: data.nodes.length - 1 });
    refresh();
    await relax(300);
    network.fit();
  }
  async function expand(id) {
    const known = state.expanded.get(id);
    const offset = known ? known.shown : 0;
    if (known && known.shown >= known.total) return;
    const data = await api("/explorer/expand/" + encodeURIComponent(id) + "?offset=" + offset + "&limit=" + PAGE);
    state.expanded.set(id, { shown: data.shown, total: data.total });
    merge(data, id);
    refresh();
    await relax(100);
  }

  function updateStatus() {
    const box = document.getElementById("status");
    box.textContent = "";
    box.append(el("span", "Viser " + nodesView.length + " noder og " + edgesView.length + " relasjoner"
      + (nodes.length > nodesView.length ? " (" + (nodes.length - nodesView.length) + " skjult av filtrene)" : "")));
    if (state.cut) {
      const more = el("button", "Vis flere (" + state.cut.shown + " av " + state.cut.total + ")");
      more.addEventListener("click", () => loadGraph(state.cut.focus, state.cut.shown * 2));
      box.append(more);
    }
  }

  // ---------------------------------------------------------------- search boxes
  function searchBox(input, list, onPick) {
    let timer = null, seq = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++seq;
        const q = input.value.trim();
        if (!q) { list.textContent = ""; return; }
        let hits;
        try { hits = await api("/nodes?q=" + encodeURIComponent(q) + "&limit=10"); } catch (err) { showError(list, err); return; }
        if (mine !== seq) return;
        list.textContent = "";
        if (!hits.length) list.append(el("li", "Ingen treff", "hint"));
        hits.forEach((h) => {
          const li = el("li", h.name);
          li.tabIndex = 0;
          li.dataset.id = h.id;
          li.append(el("span", h.kind_label, "kind"));
          const pick = () => { list.textContent = ""; input.value = h.name; onPick(h); };
          li.addEventListener("click", pick);
          li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") pick(); });
          list.append(li);
        });
      }, 200);
    });
  }
  searchBox(document.getElementById("q"), document.getElementById("hits"), async (h) => {
    await focusNode(h.id);
  });
  async function focusNode(id) {
    await loadGraph(id);
    select(id);
    network.focus(id, { scale: 1.0, animation: false });
  }

  // ---------------------------------------------------------------- the side panel
  const panel = document.getElementById("panel");
  async function select(id) {
    state.selected = id;
    network.selectNodes(nodesView.get(id) ? [id] : []);
    let d;
    try { d = await api("/nodes/" + encodeURIComponent(id)); } catch (err) { showError(panel, err); return; }
    if (state.selected !== id) return;
    panel.textContent = "";
    panel.append(el("h3", d.name), el("p", d.kind_label, "kind"));
    const buttons = el("div");
    const from = el("button", "Vei herfra"), to = el("button", "Vei hit");
    from.addEventListener("click", () => setPathEnd("from", d));
    to.addEventListener("click", () => setPathEnd("to", d));
    buttons.append(from, " ", to);
    const exp = state.expanded.get(id);
    if (exp && exp.shown < exp.total) {
      const more = el("button", "Vis flere naboer (" + exp.shown + " av " + exp.total + ")");
      more.addEventListener("click", async () => { await expand(id); select(id); });
      buttons.append(" ", more);
    }
    panel.append(buttons);
    const props = Object.entries(d.properties).filter(([k, v]) => !["id", "name", "label"].includes(k) && v !== null && v !== "" && !(Array.isArray(v) && !v.length));
    if (props.length) {
      panel.append(el("h4", "Egenskaper"));
      const t = el("table", null, "props");
      props.forEach(([k, v]) => {
        const tr = el("tr");
        tr.append(el("th", k), el("td", Array.isArray(v) ? v.join(", ") : v));
        t.append(tr);
      });
      panel.append(t);
    }
    const roles = d.neighbours.HAS_ROLE || [];
    if (roles.length) {
      panel.append(el("h4", "Roller"));
      const ul = el("ul", null, "rels");
      roles.forEach((n) => ul.append(el("li", n.explanation)));
      panel.append(ul);
    }
    Object.entries(d.neighbours).forEach(([type, list]) => {
      if (type === "HAS_ROLE") return;
      panel.append(el("h4", ((relInfo[type] || {}).label || type) + " (" + list.length + ")"));
      const ul = el("ul", null, "rels");
      list.forEach((n) => {
        const li = el("li", n.explanation);
        const src = (n.relationship || {}).sources || [];
        if (src.length) li.append(el("div", src.join(", "), "src"));
        ul.append(li);
      });
      panel.append(ul);
    });
    const sources = (d.provenance || {}).sources || [];
    panel.append(el("h4", "Kilder"), el("p", sources.length ? sources.join(", ") : "ingen oppgitt", "src"));
    if (d.kind === "Initiative") showOverlaps(id);
  }
  async function showOverlaps(id) {
    const box = el("div");
    box.append(el("h4", "Overlapp med andre satsinger"));
    panel.append(box);
    if (!config.features.overlaps) { box.append(el("p", "Overlapp er ikke tilgjengelig i denne tjenesten.", "hint")); return; }
    let data;
    try {
      data = await api("/api/v1/initiatives/" + encodeURIComponent(id) + "/overlaps");
    } catch (err) {
      box.append(el("p", err.status === 404 ? "Overlapp er ikke tilgjengelig." : "Feil: " + err.message, "hint"));
      return;
    }
    const list = Array.isArray(data) ? data : (data.overlaps || data.items || []);
    if (!list.length) { box.append(el("p", "Ingen overlapp funnet.", "hint")); return; }
    const ul = el("ul", null, "rels overlaps");
    list.slice(0, 10).forEach((o) => {
      const li = el("li");
      li.append(el("span", o.initiative.name + " "), el("span", "(" + Number(o.score).toFixed(1) + ")", "score"));
      if (o.explanation) li.append(el("div", o.explanation, "src"));
      ul.append(li);
    });
    box.append(ul);
  }

  network.on("click", async (params) => {
    if (!params.nodes.length) return;
    const id = params.nodes[0];
    if (network.isCluster(id)) {
      const key = (network.body.nodes[id].options || {}).groupKey;
      if (key) state.openedGroups.add(key);
      network.openCluster(id);
      return;
    }
    select(id);
    try { await expand(id); } catch (err) { showError(panel, err); }
  });

  // ---------------------------------------------------------------- path finder
  const path = { from: null, to: null };
  const goBtn = document.getElementById("path-go");
  if (!config.features.paths) {
    document.getElementById("path-result").append(el("p", "Veisøk er ikke tilgjengelig i denne tjenesten.", "hint"));
  }
  function setPathEnd(which, hit) {
    path[which] = hit;
    document.getElementById("path-" + which).value = hit.name;
    goBtn.disabled = !(path.from && path.to && config.features.paths);
  }
  searchBox(document.getElementById("path-from"), document.getElementById("path-from-hits"), (h) => setPathEnd("from", h));
  searchBox(document.getElementById("path-to"), document.getElementById("path-to-hits"), (h) => setPathEnd("to", h));
  function clearPath() {
    const ids = [...state.pathEdges];
    state.pathNodes.forEach((id) => { if (nodes.get(id)) nodes.update({ id: id, borderWidth: 1, shadow: false }); });
    ids.forEach((id) => { const e = edges.get(id); if (e) edges.update({ id: id, width: 1 }); });
    state.pathNodes.clear(); state.pathEdges.clear();
  }
  goBtn.addEventListener("click", async () => {
    const out = document.getElementById("path-result");
    out.textContent = "";
    out.append(el("p", "Leter …", "hint"));
    let data;
    try {
      data = await api("/api/v1/paths?" + new URLSearchParams({ from: path.from.id, to: path.to.id, k: "1", max_hops: "6" }));
    } catch (err) { showError(out, err); return; }
    const paths = Array.isArray(data) ? data : (data.paths || []);
    out.textContent = "";
    if (!paths.length) { out.append(el("p", "Fant ingen vei innen 6 steg.", "hint")); return; }
    const p = paths[0];
    clearPath();
    const ids = p.nodes.map((n) => n.id);
    merge(await api("/explorer/subgraph", { ids: ids }), null);
    ids.forEach((id) => { state.pinned.add(id); state.pathNodes.add(id); });
    p.hops.forEach((h) => {
      const e = edges.get({ filter: (x) => x.relType === h.type && ((x.from === h.from.id && x.to === h.to.id) || (x.from === h.to.id && x.to === h.from.id)) })[0];
      if (e) state.pathEdges.add(e.id);
    });
    refresh();
    await relax(100);
    nodes.update(ids.map((id) => ({ id: id, borderWidth: 5, shadow: { enabled: true, color: "#f5b800", size: 18, x: 0, y: 0 } })));
    edges.update([...state.pathEdges].map((id) => ({ id: id, width: 5 })));
    out.append(el("p", p.length + " steg fra " + p.nodes[0].name + " til " + p.nodes[p.nodes.length - 1].name + ":"));
    const ol = el("ol", null, "hops");
    p.hops.forEach((h) => {
      const li = el("li", h.explanation);
      if (h.sources && h.sources.length) li.append(el("div", "Kilde: " + h.sources.join(", "), "src"));
      ol.append(li);
    });
    out.append(ol);
    network.fit({ nodes: ids.filter((id) => nodesView.get(id)), animation: false });
  });

  // ---------------------------------------------------------------- start
  loadGraph(null).then(() => { state.ready = true; }, (err) => { showError(document.getElementById("status"), err); state.ready = true; });
})();
