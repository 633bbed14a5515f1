// Progressive enhancement of the explore page's graph (cop_kb/graph): drag a record to move it, shift-click it or
// press C while it has focus to put it in the middle; the others follow with d3-force (vendored in static/vendor).
// Without JavaScript the server's drawing is the whole picture, and every node is already a link.
(function () {
  "use strict";
  var figure = document.querySelector(".graph-explore");
  var svg = figure && figure.querySelector("svg[data-graph]");
  if (!svg || !window.d3 || !window.d3.forceSimulation) {
    return;
  }
  var d3 = window.d3;
  var box = svg.viewBox.baseVal;
  var nodes = [];
  var byId = {};

  function readTranslate(element) {
    var found = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(element.getAttribute("transform") || "");
    return found ? { x: parseFloat(found[1]), y: parseFloat(found[2]) } : { x: 0, y: 0 };
  }

  svg.querySelectorAll("[data-node]").forEach(function (element) {
    var at = readTranslate(element);
    var node = { id: element.getAttribute("data-node"), element: element, x: at.x, y: at.y, x0: at.x, y0: at.y };
    nodes.push(node);
    byId[node.id] = node;
  });
  var centre = nodes.find(function (node) { return node.element.classList.contains("ring-0"); }) || nodes[0];
  var edges = Array.prototype.map.call(svg.querySelectorAll("line[data-from]"), function (line) {
    var one = byId[line.getAttribute("data-from")];
    var two = byId[line.getAttribute("data-to")];
    return { source: one, target: two, line: line, length: Math.hypot(one.x - two.x, one.y - two.y) };
  });
  // A relation's label keeps its place along the way from its parent to the middle of the nodes it names.
  var labels = Array.prototype.map.call(svg.querySelectorAll("text[data-from]"), function (text) {
    var parent = byId[text.getAttribute("data-from")];
    var reached = text.getAttribute("data-to").split(" ").map(function (id) { return byId[id]; });
    var label = { text: text, parent: parent, reached: reached, x0: +text.getAttribute("x"), y0: +text.getAttribute("y") };
    var middle = midpoint(reached);
    var dx = middle.x - parent.x, dy = middle.y - parent.y;
    label.share = dx * dx + dy * dy ? ((label.x0 - parent.x) * dx + (label.y0 - parent.y) * dy) / (dx * dx + dy * dy) : 0.5;
    return label;
  });

  function midpoint(list) {
    var x = 0, y = 0;
    list.forEach(function (node) { x += node.x; y += node.y; });
    return { x: x / list.length, y: y / list.length };
  }

  function inside(value, low, size) {
    return Math.max(low + 12, Math.min(low + size - 12, value));
  }

  function draw() {
    nodes.forEach(function (node) {
      node.x = inside(node.x, box.x, box.width);
      node.y = inside(node.y, box.y, box.height);
      node.element.setAttribute("transform", "translate(" + node.x.toFixed(1) + " " + node.y.toFixed(1) + ")");
    });
    edges.forEach(function (edge) {
      edge.line.setAttribute("x1", edge.source.x.toFixed(1));
      edge.line.setAttribute("y1", edge.source.y.toFixed(1));
      edge.line.setAttribute("x2", edge.target.x.toFixed(1));
      edge.line.setAttribute("y2", edge.target.y.toFixed(1));
    });
    labels.forEach(function (label) {
      var middle = midpoint(label.reached);
      label.text.setAttribute("x", (label.parent.x + label.share * (middle.x - label.parent.x)).toFixed(1));
      label.text.setAttribute("y", (label.parent.y + label.share * (middle.y - label.parent.y)).toFixed(1));
    });
  }

  function pin(node, x, y) {
    node.fx = x;
    node.fy = y;
  }

  pin(centre, centre.x, centre.y);
  var simulation = d3.forceSimulation(nodes)
    .force("link", d3.forceLink(edges).distance(function (edge) { return edge.length; }).strength(0.3))
    .force("charge", d3.forceManyBody().strength(-40))
    .force("collide", d3.forceCollide(16))
    .on("tick", draw)
    .stop();

  function stir(heat) {
    simulation.alpha(heat).restart();
  }

  function recentre(node) {
    nodes.forEach(function (other) { pin(other, null, null); });
    pin(node, box.x + box.width / 2, box.y + box.height / 2);
    stir(1);
  }

  function point(event) {
    var matrix = svg.getScreenCTM().inverse();
    var at = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix);
    return { x: at.x, y: at.y };
  }

  var dragged = null;
  var moved = false;
  nodes.forEach(function (node) {
    var element = node.element;
    element.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) {
        return;
      }
      dragged = node;
      moved = false;
      element.setPointerCapture(event.pointerId);
    });
    element.addEventListener("pointermove", function (event) {
      if (dragged !== node) {
        return;
      }
      var at = point(event);
      if (!moved && Math.hypot(at.x - node.x, at.y - node.y) < 4) {
        return;
      }
      moved = true;
      svg.classList.add("moving");
      pin(node, at.x, at.y);
      simulation.alphaTarget(0.3).restart();
    });
    element.addEventListener("pointerup", function () {
      dragged = null;
      svg.classList.remove("moving");
      simulation.alphaTarget(0);
    });
    // A drag ends with a click on the link: it moved the record, so it does not follow the link. A shift-click
    // (which would open the link in a new window) puts the record in the middle instead.
    element.addEventListener("click", function (event) {
      if (moved || event.shiftKey) {
        event.preventDefault();
      }
      if (event.shiftKey && !moved) {
        recentre(node);
      }
      moved = false;
    });
    element.addEventListener("keydown", function (event) {
      if (event.key === "c" || event.key === "C") {
        event.preventDefault();
        recentre(node);
      }
    });
  });

  var hint = figure.querySelector("[data-graph-hint]");
  hint.hidden = false;
  hint.querySelector("[data-graph-reset]").addEventListener("click", function () {
    simulation.stop();
    nodes.forEach(function (node) {
      node.x = node.x0;
      node.y = node.y0;
      pin(node, null, null);
    });
    pin(centre, centre.x0, centre.y0);
    draw();
    labels.forEach(function (label) {
      label.text.setAttribute("x", label.x0);
      label.text.setAttribute("y", label.y0);
    });
  });
})();
