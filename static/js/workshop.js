// The live workshop's pages. Without this file (or JavaScript) they still work: each vote is
// a form post, and a reload shows where the workshop is.
(function () {
  "use strict";

  // Votes go as soon as a level is chosen: the button is for pages without JavaScript.
  document.documentElement.classList.add("js");

  // A refused vote (the votes were revealed meanwhile, a choice missing) comes back as the
  // phone's card with the reason: show it, as htmx leaves 4xx answers out by default.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 400 || status === 409) && event.detail.target.closest("[data-swap-refusals]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
