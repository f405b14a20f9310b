// Behaviour shared by every page. Kept tiny: server-rendered pages with htmx do the rest.
document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("messages") || document.querySelector("main");
  const div = document.createElement("div");
  div.className = "alert alert-danger";
  div.setAttribute("role", "alert");
  div.textContent = "The server could not complete that request (" + event.detail.xhr.status + "). Reload the page and try again.";
  box.prepend(div);
});
