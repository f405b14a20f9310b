// The three pieces of Bootstrap's JavaScript the pages use, on Bootstrap's own markup and
// classes: dropdown menus (data-bs-toggle="dropdown"), collapsing panels
// (data-bs-toggle="collapse", data-bs-target) and dismissible alerts (data-bs-dismiss="alert").
// Bootstrap's bundle (80 KB, with Popper) cost every page its largest paint for these; the
// keyboard behaviour is Bootstrap's: Enter or Space opens a menu, the arrow keys move through
// its items, Escape closes it and returns to its button, Tab out of it or a click elsewhere
// closes it. Delegated from the document, so it works on content htmx swaps in.
(() => {
  "use strict";

  // ---- Transitions (collapse and fade): run `done` when the element's transition ends.
  const afterTransition = (el, done) => {
    const style = getComputedStyle(el);
    const ms = (parseFloat(style.transitionDuration) + parseFloat(style.transitionDelay)) * 1000;
    if (!ms) {
      done();
      return;
    }
    let called = false;
    const finish = (event) => {
      if (called || (event && event.target !== el)) return;
      called = true;
      el.removeEventListener("transitionend", finish);
      done();
    };
    el.addEventListener("transitionend", finish);
    setTimeout(finish, ms + 5);
  };

  // ---- Dropdown menus.
  const menuOf = (toggle) => toggle.parentElement.querySelector(".dropdown-menu");
  const isOpen = (toggle) => toggle.classList.contains("show");

  const openMenu = (toggle) => {
    const menu = menuOf(toggle);
    if (!menu || isOpen(toggle) || toggle.disabled) return;
    // Placed by the stylesheet (top: 100%, dropdown-menu-end to the right), as Bootstrap
    // does for menus in a navigation bar.
    menu.setAttribute("data-bs-popper", "static");
    toggle.classList.add("show");
    menu.classList.add("show");
    toggle.setAttribute("aria-expanded", "true");
    toggle.focus();
  };

  const closeMenu = (toggle) => {
    const menu = menuOf(toggle);
    if (!menu || !isOpen(toggle)) return;
    toggle.classList.remove("show");
    menu.classList.remove("show");
    toggle.setAttribute("aria-expanded", "false");
    menu.removeAttribute("data-bs-popper");
  };

  const openToggles = () => [...document.querySelectorAll('[data-bs-toggle="dropdown"].show')];

  // Close every open menu the event did not happen in (a click on an item closes its menu
  // too, except in a form field; Tab moving the focus inside a menu keeps it open).
  const closeOthers = (event) => {
    for (const toggle of openToggles()) {
      const menu = menuOf(toggle);
      const path = event.composedPath();
      if (path.includes(toggle)) continue;
      if (menu.contains(event.target)) {
        if (event.type === "keyup") continue;
        if (/input|select|option|textarea|form/i.test(event.target.tagName)) continue;
      }
      closeMenu(toggle);
    }
  };

  const items = (menu) =>
    [...menu.querySelectorAll(".dropdown-item:not(.disabled):not(:disabled)")].filter(
      (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden",
    );

  // The arrow keys: from the button, Down goes to the first item and Up to the last; inside
  // the menu they move one item and stop at either end.
  const moveInMenu = (menu, target, down) => {
    const list = items(menu);
    if (!list.length) return;
    const index = list.indexOf(target);
    let next;
    if (index === -1) next = down ? 0 : list.length - 1;
    else next = Math.max(0, Math.min(list.length - 1, index + (down ? 1 : -1)));
    list[next].focus();
  };

  document.addEventListener("click", (event) => {
    if (event.button !== 2) closeOthers(event);
    const toggle = event.target.closest('[data-bs-toggle="dropdown"]');
    if (!toggle) return;
    event.preventDefault();
    if (isOpen(toggle)) closeMenu(toggle);
    else openMenu(toggle);
  });

  document.addEventListener("keyup", (event) => {
    if (event.key === "Tab") closeOthers(event);
  });

  document.addEventListener("keydown", (event) => {
    const up = event.key === "ArrowUp";
    const down = event.key === "ArrowDown";
    const escape = event.key === "Escape";
    if (!up && !down && !escape) return;
    const target = event.target;
    const toggle = target.closest?.('[data-bs-toggle="dropdown"]') ||
      target.closest?.(".dropdown-menu")?.parentElement.querySelector('[data-bs-toggle="dropdown"]');
    if (!toggle) return;
    if (/input|textarea/i.test(target.tagName) && !escape) return;
    event.preventDefault();
    if (up || down) {
      event.stopPropagation();
      openMenu(toggle);
      moveInMenu(menuOf(toggle), target, down);
    } else if (isOpen(toggle)) {
      event.stopPropagation();
      closeMenu(toggle);
      toggle.focus();
    }
  });

  // ---- Collapsing panels (the navigation on a phone, a reason box opened in place).
  const targetsOf = (trigger) => {
    const selector = trigger.getAttribute("data-bs-target") || trigger.getAttribute("href");
    return selector && selector !== "#" ? [...document.querySelectorAll(selector)] : [];
  };

  const setTriggers = (panel, open) => {
    for (const trigger of document.querySelectorAll('[data-bs-toggle="collapse"]')) {
      if (!targetsOf(trigger).includes(panel)) continue;
      trigger.classList.toggle("collapsed", !open);
      trigger.setAttribute("aria-expanded", String(open));
    }
  };

  const showPanel = (panel) => {
    if (panel.classList.contains("show") || panel.classList.contains("collapsing")) return;
    panel.classList.remove("collapse");
    panel.classList.add("collapsing");
    panel.style.height = "0px";
    setTriggers(panel, true);
    afterTransition(panel, () => {
      panel.classList.remove("collapsing");
      panel.classList.add("collapse", "show");
      panel.style.height = "";
    });
    panel.style.height = `${panel.scrollHeight}px`;
  };

  const hidePanel = (panel) => {
    if (!panel.classList.contains("show") || panel.classList.contains("collapsing")) return;
    panel.style.height = `${panel.getBoundingClientRect().height}px`;
    void panel.offsetHeight; // start the transition from the current height
    panel.classList.add("collapsing");
    panel.classList.remove("collapse", "show");
    setTriggers(panel, false);
    panel.style.height = "";
    afterTransition(panel, () => {
      panel.classList.remove("collapsing");
      panel.classList.add("collapse");
    });
  };

  document.addEventListener("click", (event) => {
    const trigger = event.target.closest('[data-bs-toggle="collapse"]');
    if (!trigger) return;
    if (trigger.tagName === "A") event.preventDefault();
    for (const panel of targetsOf(trigger)) {
      if (panel.classList.contains("show")) hidePanel(panel);
      else showPanel(panel);
    }
  });

  // ---- Dismissible alerts: fade out, then leave the page.
  document.addEventListener("click", (event) => {
    const button = event.target.closest('[data-bs-dismiss="alert"]');
    if (!button) return;
    if (button.tagName === "A") event.preventDefault();
    const alert = button.closest(".alert");
    if (!alert) return;
    alert.classList.remove("show");
    afterTransition(alert, () => alert.remove());
  });
})();
