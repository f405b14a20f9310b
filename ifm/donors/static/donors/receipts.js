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

// Receipt settings: a merge-field button inserts its field into the letter template at the
// cursor (replacing a selection), puts the cursor after it and gives the focus back to the
// template, so the keyboard carries on typing; the input event it sends refreshes the preview.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element ? event.target.closest("[data-merge-insert]") : null;
    if (!button) return;
    const area = document.getElementById(button.dataset.mergeTarget || "");
    if (!(area instanceof HTMLTextAreaElement)) return;
    const text = button.dataset.mergeInsert || "";
    const start = area.selectionStart ?? area.value.length;
    const end = area.selectionEnd ?? start;
    area.focus();
    area.setRangeText(text, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
