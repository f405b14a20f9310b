// The time-zone select of the settings page: a filter box above it narrows the ~600 zones
// (grouped by region) to those whose name or UTC offset contains what is typed. Without
// JavaScript the filter stays hidden and the select works as it is.
(function () {
  "use strict";

  function setUp(select) {
    var box = document.getElementById(select.id + "_filter");
    var status = document.getElementById(select.id + "_filter_status");
    if (!box) return;
    box.hidden = false;
    box.parentElement.hidden = false;

    function apply() {
      var words = box.value.toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean);
      var shown = 0;
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = (option.value.replace(/_/g, " ") + " " + option.textContent + " " + group.label).toLowerCase();
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !match && !option.selected;
          if (match) {
            any = true;
            shown += 1;
            if (!first) first = option;
          }
        });
        group.hidden = !any;
      });
      select.size = words.length ? Math.max(2, Math.min(8, shown)) : 0;
      if (status) {
        status.textContent = words.length ? shown + " time zone" + (shown === 1 ? "" : "s") + " match" : "";
      }
      return first;
    }

    box.addEventListener("input", apply);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault();
        var first = apply();
        if (event.key === "Enter" && first) {
          select.value = first.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
        select.focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-tz-select]"), setUp);
  });
})();
