/* A fan-out's table of districts: sort by any column (header buttons, or "Sort by" on a phone, where
   the headers are hidden) and filter by words. Without JavaScript the table is plain and sorted by name. */
(function () {
  var table = document.getElementById("sro-districts");
  var controls = document.querySelector(".sro-fan-out-controls");
  if (!table || !controls) return;
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("sro-filter");
  var select = document.getElementById("sro-sort");
  var count = document.getElementById("sro-count");

  function key(row, column, numeric) {
    var cell = row.cells[column];
    var text = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim().toLowerCase();
    if (!numeric) return text;
    return text === "" ? null : parseFloat(text);
  }

  function sortBy(column, direction) {
    var numeric = headers[column].getAttribute("data-type") === "number";
    var sign = direction === "descending" ? -1 : 1;
    var ordered = rows.slice().sort(function (a, b) {
      var x = key(a, column, numeric), y = key(b, column, numeric);
      if (x === y) return 0;
      if (x === null) return 1;  // a missing number is last either way
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sign;
    });
    ordered.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th, i) {
      if (i === column) th.setAttribute("aria-sort", direction);
      else th.removeAttribute("aria-sort");
    });
    select.value = column + ":" + direction;
  }

  headers.forEach(function (th, column) {
    if (th.getAttribute("data-sortable") === "no") return;
    var label = th.textContent;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(column, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending");
    });
    [["ascending", "low to high"], ["descending", "high to low"]].forEach(function (pair) {
      var option = document.createElement("option");
      option.value = column + ":" + pair[0];
      option.textContent = label + " (" + (th.getAttribute("data-type") === "number" ? pair[1] : pair[0] === "ascending" ? "A to Z" : "Z to A") + ")";
      select.appendChild(option);
    });
  });
  select.addEventListener("change", function () {
    var parts = select.value.split(":");
    sortBy(parseInt(parts[0], 10), parts[1]);
  });

  function applyFilter() {
    var words = filter.value.trim().toLowerCase().split(" ").filter(Boolean);  // no regex literal: pages are cleaned of paths
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var match = words.every(function (word) { return text.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " districts";
  }
  filter.addEventListener("input", applyFilter);

  controls.hidden = false;
  select.value = "0:ascending";
  applyFilter();
})();
