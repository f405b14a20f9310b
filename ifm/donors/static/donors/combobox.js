// The donation form's donor picker, an editable combobox with list autocomplete (the ARIA 1.2
// combobox pattern): typing searches the donors (the donor_pick page, listbox=1), the arrow keys
// move through the options (aria-activedescendant), Enter picks the active option or the single
// match, Escape closes the list. Picking fills the hidden donor id and the fund, method and
// campaign of the donor's last gift, then moves to Amount. Without this script the typed text is
// sent and the server finds the donor it names.
(function () {
  "use strict";

  function setSelect(form, name, value) {
    const select = form.querySelector(`select[name="${name}"]`);
    if (select && value && select.querySelector(`option[value="${CSS.escape(value)}"]`)) {
      select.value = value;
    }
  }

  function setUp(box) {
    const input = box.querySelector("[role=combobox]");
    const listbox = document.getElementById(input.getAttribute("aria-controls"));
    const status = box.querySelector("[role=status]");
    const hidden = document.getElementById(input.dataset.pickerFor);
    let timer = null;
    let searched = null; // the text the options are for
    let request = null; // the search in flight, a promise of its options

    const options = () => Array.from(listbox.querySelectorAll("[role=option]"));
    const active = () => listbox.querySelector("[aria-selected=true]");

    function open(yes) {
      listbox.hidden = !yes;
      input.setAttribute("aria-expanded", yes ? "true" : "false");
      if (!yes) activate(null);
    }

    function activate(option) {
      for (const o of options()) {
        const on = o === option;
        o.setAttribute("aria-selected", on ? "true" : "false");
        o.classList.toggle("active", on);
      }
      if (option) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function pick(option) {
      input.value = option.dataset.label;
      hidden.value = option.dataset.id;
      searched = input.value;
      request = null;
      open(false);
      setSelect(input.form, "fund", option.dataset.fund);
      setSelect(input.form, "method", option.dataset.method);
      setSelect(input.form, "campaign", option.dataset.campaign);
      status.textContent = `${option.dataset.label} chosen.`;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      const amount = input.form.querySelector("input[name=amount]");
      if (amount) amount.focus();
    }

    function search() {
      const text = input.value.trim();
      if (text === searched && request) return request;
      searched = text;
      if (!text) {
        listbox.replaceChildren();
        open(false);
        request = Promise.resolve([]);
        return request;
      }
      const url = `${box.dataset.source}&q=${encodeURIComponent(text)}`;
      request = fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : ""))
        .then((html) => {
          if (searched !== text) return options(); // a newer search replaced this one
          listbox.innerHTML = html;
          const found = options();
          for (const o of found) o.addEventListener("mousedown", (e) => e.preventDefault());
          open(found.length > 0 && document.activeElement === input);
          status.textContent = found.length
            ? `${found.length} donor${found.length === 1 ? "" : "s"} found.`
            : "No donor matches.";
          return found;
        });
      return request;
    }

    input.addEventListener("input", () => {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });

    input.addEventListener("keydown", (event) => {
      const all = options();
      const current = active();
      const at = all.indexOf(current);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (listbox.hidden) {
          open(all.length > 0);
          if (!all.length) return;
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : (at + step + all.length) % all.length;
        activate(all[next]);
      } else if (event.key === "Escape") {
        if (!listbox.hidden) {
          event.preventDefault();
          open(false);
        }
      } else if (event.key === "Enter") {
        if (current && !listbox.hidden) {
          event.preventDefault();
          pick(current);
        } else if (!hidden.value && input.value.trim()) {
          // Not picked yet: search now (if the typed text is newer) and pick a single match.
          event.preventDefault();
          clearTimeout(timer);
          search().then((found) => {
            if (found.length === 1) pick(found[0]);
            else if (found.length) open(true);
          });
        }
      }
    });

    input.addEventListener("blur", () => open(false));
    listbox.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) pick(option);
    });
  }

  document.querySelectorAll("[data-donor-combobox]").forEach(setUp);
})();
