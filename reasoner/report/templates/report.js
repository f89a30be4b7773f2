/* The report: sort by a column (click its header), filter by text and status, open a
   proved problem's viewer (its <template> cloned into the panel; #view-N links). */
(function () {
  "use strict";
  var table = document.getElementById("problems");
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var statusFilter = document.getElementById("status-filter");
  var panel = document.getElementById("viewer-panel");
  var holder = document.getElementById("viewer");

  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var numeric = th.getAttribute("data-type") === "number";
      var descending = th.classList.contains("asc");
      table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
      th.classList.add(descending ? "desc" : "asc");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-v"), y = b.cells[column].getAttribute("data-v");
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });

  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var status = statusFilter.value;
    var shown = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var text = row.textContent.toLowerCase();
      var ok = (!status || row.getAttribute("data-status") === status) &&
        words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    document.getElementById("shown").textContent = String(shown);
  }
  filter.addEventListener("input", applyFilter);
  statusFilter.addEventListener("change", applyFilter);

  function route() {
    var match = /^#view-(\d+)$/.exec(location.hash);
    var template = match && document.getElementById("view-" + match[1]);
    body.querySelectorAll("tr.selected").forEach(function (r) { r.classList.remove("selected"); });
    if (!template) {
      panel.hidden = true;
      holder.textContent = "";
      holder.removeAttribute("data-view");
      NeurosymViewer.show(holder);
      return;
    }
    holder.textContent = "";
    holder.appendChild(template.content.cloneNode(true));
    holder.setAttribute("data-view", match[1]);
    panel.hidden = false;
    NeurosymViewer.show(holder);
    var link = body.querySelector('a.open[href="#view-' + match[1] + '"]');
    if (link) { link.closest("tr").classList.add("selected"); }
  }
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) { location.hash = ""; }
  });
  route();
})();
