// Donor pages: the donor picker (a text box with a datalist whose options carry data-id) fills a
// hidden input with the chosen donor's id, and on the donation form the fund, method and
// campaign of that donor's last gift. After a batch row is added, the donor box gets the focus.
(function () {
  "use strict";

  function chosenOption(input) {
    const list = input.list;
    if (!list) return null;
    for (const option of list.options) {
      if (option.value === input.value) return option;
    }
    return null;
  }

  function setSelect(id, value) {
    const select = document.getElementById(id);
    if (select && value && select.querySelector(`option[value="${CSS.escape(value)}"]`)) {
      select.value = value;
    }
  }

  function resolve(input) {
    const hidden = document.getElementById(input.dataset.pickerTarget);
    if (!hidden) return;
    const option = chosenOption(input);
    const id = option ? option.dataset.id || "" : "";
    if (hidden.value === id) return;
    hidden.value = id;
    if (option && input.dataset.defaults) {
      setSelect("id_fund", option.dataset.fund);
      setSelect("id_method", option.dataset.method);
      setSelect("id_campaign", option.dataset.campaign);
    }
    if (option) {
      const amount = input.form && input.form.querySelector("input[name=amount]");
      if (amount) amount.focus();
    }
  }

  document.addEventListener("input", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.dataset.pickerTarget) resolve(target);
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (target instanceof HTMLDataListElement) {
      const input = document.querySelector(`input[list="${target.id}"]`);
      if (input) resolve(input);
    } else if (target.id === "batch-body") {
      const box = document.getElementById("batch-donor");
      if (box) box.focus();
    }
  });
})();

// Gift batches: Enter in any field of a form marked data-enter-submits submits it, selects
// included (a browser submits on Enter only from text boxes). The form's own submit event
// runs, so htmx sends it as it would a click on its button.
(function () {
  "use strict";

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter" || event.isComposing || !(target instanceof HTMLSelectElement)) return;
    const form = target.form;
    if (!form || !form.hasAttribute("data-enter-submits")) return;
    event.preventDefault();
    form.requestSubmit();
  });

  // A batch row opened for editing in place: its amount gets the focus (the Edit link that had
  // it is gone with the swap, so the focus is nowhere).
  document.addEventListener("htmx:afterSettle", () => {
    const row = document.querySelector("tr.batch-row-editing");
    const active = document.activeElement;
    if (!row || (active && active !== document.body)) return;
    const amount = row.querySelector("input[name$='-amount']");
    if (amount) amount.focus();
  });
})();
