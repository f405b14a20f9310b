// Receipt list: the checkbox in the table head selects or clears every receipt of the page.
// Delegated from the document, so it keeps working after htmx swaps the results in.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
    const form = box.form || box.closest("form");
    if (!form) return;
    for (const item of form.querySelectorAll(`input[name="${CSS.escape(box.dataset.selectAll)}"]`)) {
      item.checked = box.checked;
    }
  });
})();
