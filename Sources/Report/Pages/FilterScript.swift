/// The index page's only script: shows the rows that match the chosen status and tag, and
/// marks the page `data-filter="ready"` once it has run (the browser check looks for that).
/// Without JavaScript every row stays visible.
enum FilterScript {
    static let js = """
    (function () {
      var status = document.getElementById("filter-status");
      var tag = document.getElementById("filter-tag");
      var count = document.getElementById("filter-count");
      var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-status]"));
      function apply() {
        var shown = 0;
        rows.forEach(function (row) {
          var match = (status.value === "" || row.getAttribute("data-status") === status.value) &&
            (tag.value === "" || row.getAttribute("data-tags").indexOf("|" + tag.value + "|") >= 0);
          row.hidden = !match;
          if (match) { shown += 1; }
        });
        count.textContent = shown + " of " + rows.length + " shown";
      }
      status.addEventListener("change", apply);
      tag.addEventListener("change", apply);
      apply();
      document.body.setAttribute("data-filter", "ready");
    })();
    """
}
