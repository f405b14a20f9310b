// The expense form: the chart of accounts shows only for "Other" (a category decides the account
// otherwise). Without JavaScript the field simply stays visible.
function showAccount(select) {
  const wrapper = document.getElementById("account-field");
  if (!wrapper) return;
  const other = select.value === "other" || select.dataset.noCategories === "1";
  wrapper.hidden = !other;
}

document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.classList.contains("js-expense-category")) {
    showAccount(select);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select.js-expense-category").forEach((select) => showAccount(select));
});
