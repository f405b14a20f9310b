// Report pages: the "Print" button prints the page (its print stylesheet leaves out the
// navigation, the filters and the buttons). Delegated, so it works after an HTMX swap too.
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
