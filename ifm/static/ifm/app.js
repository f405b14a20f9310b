// Behaviour shared by every page. Kept tiny: server-rendered pages with htmx do the rest.

// Scripts after the first paint: htmx and ui.js (the menus), named by the page's
// <script src="app.js" data-after-paint="..."> and fetched once the window has loaded and the next
// frame is painted, so the first paint does not wait for them (docs/frontend.md). htmx 2 starts
// at once when the document is complete, and otherwise waits for a DOMContentLoaded that, this
// late, has passed: after the load event the document is complete. When they have run,
// <html data-scripts-ready> says so (browser tests wait for it before they click or type).
(function () {
  "use strict";
  var me = document.currentScript;
  var sources = ((me && me.getAttribute("data-after-paint")) || "").split(" ").filter(Boolean);
  if (!sources.length) return;
  var waiting = sources.length;
  function fetchScripts() {
    sources.forEach(function (src) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false; // run in the order named
      script.onload = function () {
        waiting -= 1;
        if (!waiting) document.documentElement.setAttribute("data-scripts-ready", "");
      };
      document.head.appendChild(script);
    });
  }
  function afterPaint() {
    // A hidden tab paints nothing (and runs no animation frame) until it is shown.
    if (document.visibilityState !== "visible") fetchScripts();
    else requestAnimationFrame(function () { setTimeout(fetchScripts, 0); });
  }
  if (document.readyState === "complete") afterPaint();
  else window.addEventListener("load", afterPaint);
})();

document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("messages") || document.querySelector("main");
  const div = document.createElement("div");
  div.className = "alert alert-danger";
  div.setAttribute("role", "alert");
  div.textContent = "The server could not complete that request (" + event.detail.xhr.status + "). Reload the page and try again.";
  box.prepend(div);
});

// Real users' page loads: this page's Largest Contentful Paint, measured by the browser and sent
// once, when the page is hidden (left, closed or switched away from), to the URL in the page's
// <html data-rum> (signed-in pages only). Nothing is sent where the browser cannot measure it.
// No third party; the rollout metrics read it (docs/usage-metrics.md).
(function () {
  "use strict";
  var url = document.documentElement.getAttribute("data-rum");
  if (!url || !("PerformanceObserver" in window) || !navigator.sendBeacon) return;
  var lcp = 0;
  var sent = false;
  try {
    new PerformanceObserver(function (list) {
      var entries = list.getEntries();
      if (entries.length) lcp = entries[entries.length - 1].startTime;
    }).observe({ type: "largest-contentful-paint", buffered: true });
  } catch (e) {
    return; // this browser does not report Largest Contentful Paint
  }
  function send() {
    if (sent || !lcp) return;
    sent = true;
    var body = JSON.stringify({ path: location.pathname, lcp: Math.round(lcp) });
    navigator.sendBeacon(url, body);
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") send();
  });
  window.addEventListener("pagehide", send);
})();
