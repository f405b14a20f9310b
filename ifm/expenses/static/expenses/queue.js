// Approval queue: "select all" ticks every expense the person may approve (not disabled ones).
// Delegated from the document so it keeps working after htmx swaps the results.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  if (box.id === "select-all") {
    document.querySelectorAll("input.js-select:not(:disabled)").forEach((item) => {
      item.checked = box.checked;
    });
  } else if (box.classList.contains("js-select")) {
    const all = document.getElementById("select-all");
    const items = Array.from(document.querySelectorAll("input.js-select:not(:disabled)"));
    if (all) all.checked = items.length > 0 && items.every((item) => item.checked);
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.id !== "bulk-approve") return;
  const chosen = document.querySelectorAll("input.js-select:checked").length;
  if (chosen === 0) {
    event.preventDefault();
    window.alert("Tick the expenses to approve first.");
  }
});
