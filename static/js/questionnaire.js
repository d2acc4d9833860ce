// The questionnaire's autosave feedback. Without this file (or without JavaScript) the page
// still works: each section's "Save and continue" button posts the whole section.
(function () {
  "use strict";

  var pending = new Set(); // questions whose latest change is not saved yet

  function statusOf(fieldset) {
    return fieldset.querySelector(".save-status");
  }

  function showFailure(fieldset, message) {
    pending.add(fieldset.id);
    fieldset.classList.add("is-unsaved");
    var status = statusOf(fieldset);
    status.textContent = message + " ";
    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "link-button";
    retry.textContent = "Retry";
    retry.addEventListener("click", function () {
      status.textContent = "Saving…";
      htmx.trigger(fieldset, "change");
    });
    status.appendChild(retry);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset) return;
    pending.add(fieldset.id);
    statusOf(fieldset).textContent = "Saving…";
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset) return;
    var xhr = event.detail.xhr;
    if (event.detail.successful) {
      pending.delete(fieldset.id);
      fieldset.classList.remove("is-unsaved");
      var checked = fieldset.querySelector("input[type=radio]:checked");
      fieldset.classList.toggle("is-answered", Boolean(checked));
      return;
    }
    if (!xhr || xhr.status === 0) {
      showFailure(fieldset, "Not saved: the connection failed.");
    } else if (xhr.status >= 400 && xhr.status < 500 && xhr.responseText) {
      // The server explains refusals (a closed assessment, a submitted questionnaire).
      showFailure(fieldset, "Not saved: " + xhr.responseText);
    } else {
      showFailure(fieldset, "Not saved: the server had a problem.");
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) showFailure(fieldset, "Not saved: the connection failed.");
  });

  // Warn before leaving while an answer is unsaved (the browser shows its own wording).
  window.addEventListener("beforeunload", function (event) {
    if (pending.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // The section form's own submit saves everything anyway: no warning then.
  document.addEventListener("submit", function () {
    pending.clear();
  });
})();
