/* The proof viewer: select a step (click, arrows, j/k) and highlight in the figure what its
   conclusion (class hl-concl) and its premises (hl-prem) speak of. One viewer is active at a
   time (the report shows one at a time); keys go to the active one. */
var NeurosymViewer = (function () {
  "use strict";
  var active = null;

  function byId(root, id) {
    return root.querySelector('svg [id="' + id + '"]');
  }

  function make(root) {
    var dataNode = root.querySelector("script.viewer-data");
    if (!dataNode) { return null; }
    var data = JSON.parse(dataNode.textContent);
    var items = root.querySelectorAll("li.step");
    var current = -1;

    function clear() {
      root.querySelectorAll("svg .hl-concl, svg .hl-prem").forEach(function (el) {
        el.classList.remove("hl-concl", "hl-prem");
      });
      root.querySelectorAll("li.step.selected, li.step.premise").forEach(function (el) {
        el.classList.remove("selected", "premise");
        el.removeAttribute("aria-selected");
      });
    }

    function mark(ids, cls) {
      ids.forEach(function (id) {
        [id, id + "-label"].forEach(function (x) {
          var el = byId(root, x);
          if (el) { el.classList.add(cls); }
        });
      });
    }

    function select(i) {
      if (i < 0 || i >= items.length) { return; }
      clear();
      current = i;
      var step = data.steps[i];
      mark(step.premises, "hl-prem");
      mark(step.conclusion, "hl-concl");
      var item = items[i];
      item.classList.add("selected");
      item.setAttribute("aria-selected", "true");
      item.querySelectorAll("a.ref").forEach(function (a) {
        var k = Number(a.getAttribute("data-goto"));
        if (items[k]) { items[k].classList.add("premise"); }
      });
      item.scrollIntoView({block: "nearest"});
      root.setAttribute("data-selected", String(i));
    }

    items.forEach(function (item, i) {
      item.addEventListener("click", function (event) {
        var ref = event.target.closest("a.ref");
        select(ref ? Number(ref.getAttribute("data-goto")) : i);
      });
    });
    return {
      root: root,
      select: select,
      move: function (delta) { select(Math.max(0, Math.min(items.length - 1, current + delta))); },
      current: function () { return current; }
    };
  }

  document.addEventListener("keydown", function (event) {
    if (!active || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") { return; }
    var next = {ArrowDown: 1, ArrowRight: 1, j: 1, ArrowUp: -1, ArrowLeft: -1, k: -1}[event.key];
    if (next) {
      event.preventDefault();
      active.move(next);
    }
  });

  return {
    /* make root the active viewer; returns its controller (null without a proof) */
    show: function (root) {
      active = make(root);
      return active;
    },
    active: function () { return active; }
  };
})();
