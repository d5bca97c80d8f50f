"use strict";
// Ask before leaving the report's change form with changes not saved: anything
// that differs from the form as loaded, or a form that came back refused.
(function () {
  const marker = document.getElementById("unsaved-changes");
  if (!marker) return;
  const form = marker.closest("form");
  const unsavedOnLoad = marker.dataset.unsavedOnLoad === "1";
  let loaded = null;
  let submitting = false;

  function snapshot() {
    return JSON.stringify(Array.from(new FormData(form), ([name, value]) =>
      [name, typeof value === "string" ? value : value.name]));
  }

  // After "load", so widgets that fill themselves in (autocomplete) count as loaded.
  window.addEventListener("load", () => { loaded = snapshot(); });
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (submitting) return;
    if (unsavedOnLoad || (loaded !== null && snapshot() !== loaded)) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show the prompt
    }
  });
})();
