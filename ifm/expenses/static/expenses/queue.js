// The approvers' lists ("To approve", "Approved, to pay"): a "select all" box ticks every row of
// its group the person may act on (not disabled ones); typing a check number ticks its row; a
// bulk form submitted with nothing ticked says so instead. Delegated from the document, so it
// keeps working after htmx swaps the results.
const groupOf = (el) => el.dataset.group || "";
const rowsOf = (group) =>
  Array.from(document.querySelectorAll("input.js-select:not(:disabled)")).filter(
    (item) => groupOf(item) === group,
  );
const masterOf = (group) =>
  Array.from(document.querySelectorAll("input.js-select-all, #select-all")).find(
    (box) => groupOf(box) === group,
  );

function syncMaster(group) {
  const master = masterOf(group);
  const items = rowsOf(group);
  if (master) master.checked = items.length > 0 && items.every((item) => item.checked);
}

document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  if (box.id === "select-all" || box.classList.contains("js-select-all")) {
    rowsOf(groupOf(box)).forEach((item) => {
      item.checked = box.checked;
    });
  } else if (box.classList.contains("js-select")) {
    syncMaster(groupOf(box));
  }
});

document.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.name.startsWith("check_number_")) return;
  const row = document.getElementById(`pay-${field.name.slice("check_number_".length)}`);
  if (row instanceof HTMLInputElement && field.value.trim() && !row.checked) {
    row.checked = true;
    syncMaster(groupOf(row));
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.id !== "bulk-approve" && !form.classList.contains("js-bulk")) return;
  const chosen = document.querySelectorAll(`input.js-select:checked[form="${form.id}"]`).length;
  if (chosen === 0) {
    event.preventDefault();
    window.alert(form.dataset.emptyMessage || "Tick the expenses to approve first.");
  }
});
