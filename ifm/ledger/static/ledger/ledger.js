// Ledger pages: pickers that submit an id, removing entry lines, and confirmations.
(function () {
  "use strict";

  // A picker is a text input with a <datalist> of options carrying data-id; the id of the
  // option whose text was chosen goes into the hidden input named by data-picker-target.
  function resolvePicker(input) {
    const hidden = document.getElementById(input.dataset.pickerTarget);
    const list = input.list;
    if (!hidden) return false;
    let id = "";
    if (list) {
      for (const option of list.options) {
        if (option.value === input.value) {
          id = option.dataset.id || "";
          break;
        }
      }
    }
    const changed = hidden.value !== id;
    hidden.value = id;
    return changed;
  }

  function linesChanged(element) {
    const form = element.closest("form");
    if (form) form.dispatchEvent(new Event("lines-changed", { bubbles: true }));
  }

  document.addEventListener("input", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.dataset.pickerTarget) {
      resolvePicker(target);
    }
  });

  // Options arrive after typing: resolve again once they are in, and refresh the balance
  // when that settled which fund a line is in.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target instanceof HTMLDataListElement) {
      const input = document.querySelector(`input[list="${target.id}"]`);
      if (input && resolvePicker(input)) linesChanged(input);
    }
    if (target.id === "entry-lines") {
      const lines = target.querySelectorAll(".entry-line");
      const last = lines[lines.length - 1];
      const first = last && last.querySelector("input[type=text]");
      if (first) first.focus();
    }
  });

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-remove-line]");
    if (!button) return;
    const line = button.closest(".entry-line");
    const form = line && line.closest("form");
    if (!line || !form) return;
    line.remove();
    form.dispatchEvent(new Event("lines-changed", { bubbles: true }));
    const add = document.getElementById("add-line");
    if (add) add.focus();
  });

  // <form data-confirm="..."> asks before it is sent.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
