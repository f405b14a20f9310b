// Navigation helpers: the search shortcut ("/" when not typing, Ctrl/Cmd+K), closing the
// "More" menu and the search results, opening filter bars on wide screens, and labelling each
// table cell with its column header (phones show tables as cards: responsive.css).
(() => {
  const typing = (el) =>
    !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

  document.addEventListener("keydown", (event) => {
    const box = document.getElementById("global-search");
    if (!box) return;
    const key = (event.key || "").toLowerCase();
    const modK = key === "k" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    const slash = key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(document.activeElement);
    if (modK || slash) {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (key === "escape") {
      if (box.contains(document.activeElement) || box.closest("form").contains(document.activeElement)) {
        box.blur();
      }
      document.querySelectorAll("details.nav-more[open]").forEach((d) => {
        d.open = false;
        d.querySelector("summary").focus();
      });
    }
  });

  // A click outside an open "More" menu closes it.
  document.addEventListener("click", (event) => {
    document.querySelectorAll("details.nav-more[open]").forEach((d) => {
      if (!d.contains(event.target)) d.open = false;
    });
  });

  const label = (root) => {
    root.querySelectorAll("main table").forEach((table) => {
      if (table.classList.contains("table-stack-off") || !table.tHead || !table.tBodies.length) return;
      const heads = [];
      for (const th of table.tHead.rows[0]?.cells || []) {
        const text = (th.querySelector(".sort-link")?.firstChild?.textContent || th.textContent).trim();
        for (let i = 0; i < (th.colSpan || 1); i++) heads.push(text);
      }
      const rows = [...table.tBodies].flatMap((b) => [...b.rows]).concat(table.tFoot ? [...table.tFoot.rows] : []);
      for (const row of rows) {
        let col = 0;
        for (const cell of row.cells) {
          if (!cell.hasAttribute("data-label") && heads[col]) cell.setAttribute("data-label", heads[col]);
          col += cell.colSpan || 1;
        }
      }
      table.classList.add("table-stack");
    });
  };

  const ready = () => {
    label(document);
    if (window.matchMedia("(min-width: 576px)").matches) {
      document.querySelectorAll("details.filter-fold").forEach((d) => { d.open = true; });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  document.addEventListener("htmx:afterSettle", (event) => label(event.detail.elt?.closest?.("main") ? event.detail.elt : document));
})();
