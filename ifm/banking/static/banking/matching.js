// The matching page from the keyboard. Everything here is also a plain link or form on the
// page; the keys only reach them faster:
//   j / ArrowDown, k / ArrowUp  the next or previous bank line
//   Enter                       accept the top suggestion (when no other control has focus)
//   1-5                         accept that suggestion
//   u                           unmatch (opens the form that asks for the reason)
//   c                           create an entry from the line
// ("/" stays the site's global search.)
(function () {
  "use strict";

  function typing(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable='true']"));
  }

  function lines() {
    return Array.prototype.slice.call(document.querySelectorAll("#bank-lines [data-line]"));
  }

  function go(link) {
    if (link && link.href) window.location.assign(link.href);
  }

  function move(step) {
    var all = lines();
    if (!all.length) return;
    var current = all.findIndex(function (el) { return el.classList.contains("active"); });
    var next = all[current + step];
    if (next) {
      go(next);
    } else if (step > 0) {
      go(document.querySelector("a.page-link[href*='after=']"));
    } else {
      go(document.querySelector("a.page-link[href*='before=']"));
    }
  }

  function accept(n) {
    var item = document.querySelector("#suggestions [data-suggestion='" + n + "'] form");
    if (!item) return false;
    var button = item.querySelector("button[type=submit]");
    if (!button) return false;
    button.disabled = true;
    item.submit();
    return true;
  }

  // Enter on the page itself or on the selected line accepts; on any other control
  // (a link, a button, a field) it does what that control does.
  function enterAccepts(target) {
    if (!target || target === document.body || target.id === "main") return true;
    return target.matches && target.matches("#bank-lines a.active");
  }

  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-matching]")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    var key = event.key;
    var handled = true;
    if (key === "j" || key === "ArrowDown") {
      move(1);
    } else if (key === "k" || key === "ArrowUp") {
      move(-1);
    } else if (key === "Enter") {
      handled = enterAccepts(event.target) && accept(1);
    } else if (/^[1-5]$/.test(key)) {
      handled = accept(Number(key));
    } else if (key === "u") {
      var unmatch = document.getElementById("unmatch");
      handled = Boolean(unmatch);
      go(unmatch);
    } else if (key === "c") {
      var create = document.getElementById("create-entry");
      handled = Boolean(create);
      go(create);
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });

  // Arriving on a line, the selected line takes the focus so the keys go on from there
  // (unless the page opened on a search or a form with errors).
  document.addEventListener("DOMContentLoaded", function () {
    var active = document.querySelector("#bank-lines a.active");
    if (active && !document.querySelector(".is-invalid") && document.activeElement === document.body) {
      active.focus({ preventScroll: false });
    }
  });
})();
