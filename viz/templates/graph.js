// Draws the graph of a self-contained file (view or report). Data comes from the JSON block
// #graph-data; every text reaches the page through textContent (never innerHTML).
(function () {
  "use strict";
  const graphData = JSON.parse(document.getElementById("graph-data").textContent);
  // compact files leave out what can be rebuilt (viz.render.compact)
  graphData.nodes.forEach(function (n) { if (n.fullName === undefined) n.fullName = n.label; });
  graphData.edges.forEach(function (e) {
    if (e.title === undefined && e.explanation) {
      e.title = e.explanation + (e.sources && e.sources.length ? "\nKilder: " + e.sources.slice(0, 5).join(", ") : "");
    }
  });
  const nodes = new vis.DataSet(graphData.nodes);
  const edges = new vis.DataSet(graphData.edges);
  const container = document.getElementById("graph");
  const physics = graphData.options.physics.enabled;
  const state = {
    nodes: nodes, edges: edges, drawn: false, stable: false,
    nodeCount: graphData.nodes.length, edgeCount: graphData.edges.length,
  };
  window.samgraf = state;
  const network = new vis.Network(container, { nodes: nodes, edges: edges }, graphData.options);
  state.network = network;
  function markStable() {
    if (state.stable) return;
    network.once("afterDrawing", function () {
      state.stable = true;
      state.stableAt = performance.now();
    });
    network.redraw();
  }
  network.once("afterDrawing", function () {
    state.drawn = true;
    state.drawnAt = performance.now();
    if (!physics) { state.stable = true; state.stableAt = state.drawnAt; }
  });
  if (physics) {
    // settle once, then freeze: a report must not keep moving (nor use the CPU)
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      markStable();
    });
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // node size by the measure the reader picks
  const sizeBy = document.getElementById("size-by");
  if (sizeBy) {
    sizeBy.addEventListener("change", function () {
      const by = sizeBy.value;
      nodes.update(nodes.get().map(function (n) {
        const v = by === "betweenness" ? 10 + 35 * (n.betweenness || 0) : 12 + Math.min(n.degree || 0, 20);
        return { id: n.id, size: v };
      }));
    });
  }

  const box = document.getElementById("selected");
  network.on("selectNode", function (params) {
    if (!box) return;
    const n = nodes.get(params.nodes[0]);
    box.textContent = "";
    box.append(el("h3", n.fullName), el("p", n.kindLabel, "kind"));
    const links = edges.get({ filter: function (e) { return e.from === n.id || e.to === n.id; } });
    if (links.length) {
      const ul = el("ul");
      links.forEach(function (e) { ul.append(el("li", e.explanation)); });
      box.append(el("h4", "Forbindelser (" + links.length + ")"), ul);
    }
    if (n.sources && n.sources.length) box.append(el("p", "Kilder: " + n.sources.join(", "), "src"));
  });
  network.on("deselectNode", function () { if (box) box.textContent = ""; });
})();
