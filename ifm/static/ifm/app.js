// Behaviour shared by every page. Kept tiny: server-rendered pages with htmx do the rest.
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
