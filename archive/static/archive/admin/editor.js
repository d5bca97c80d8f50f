// Keyboard shortcuts of the transcript editor (archive/admin/editor/). Each
// one clicks a button the page already has, so without JavaScript the same
// actions are a click away in each segment's tools.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("report_form");
  const editor = document.querySelector(".transcript-editor");
  if (!form || !editor) return;

  const status = document.createElement("p");
  status.className = "editor-status";
  status.setAttribute("role", "status");
  editor.querySelector(".editor-keys").after(status);

  // Back from an action (split, merge, insert, quote): the keyboard is where the work was.
  // After "load": the browser's own jump to the #segment- anchor would take the focus away.
  const acted = location.hash.startsWith("#segment-") && document.getElementById(location.hash.slice(1));
  const actedText = acted && acted.closest(".segment").querySelector("textarea.segment-text");
  if (actedText) {
    window.addEventListener("load", () => setTimeout(() => {
      actedText.focus({ preventScroll: true });
      actedText.setSelectionRange(0, 0);
    }, 0));
  }

  let edited = false;
  form.addEventListener("input", () => { edited = true; });

  const submitWith = (button, fields) => {
    if (!button) return;
    for (const [name, value] of Object.entries(fields)) {
      let input = form.querySelector(`input[type=hidden][name="${name}"]`);
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        form.append(input);
      }
      input.value = value;
    }
    form.requestSubmit(button);
  };

  const segmentAction = (textarea, kind) => {
    const row = textarea.closest(".segment[data-segment]");
    if (!row) return false;
    if (textarea.value !== textarea.defaultValue) {
      status.textContent = "This segment has unsaved changes: save first (Ctrl+S), then split, merge or quote.";
      return true;
    }
    if (edited && !window.confirm("Other unsaved changes on this page will be lost. Go on?")) return true;
    // Offsets count characters (code points), as the server does, not UTF-16 units.
    const before = Array.from(textarea.value.slice(0, textarea.selectionStart)).length;
    if (kind === "split") {
      submitWith(row.querySelector("button.editor-split"), { editor_offset: String(before) });
    } else if (kind === "merge") {
      const merge = row.querySelector("button.editor-merge");
      if (!merge) { status.textContent = "The first segment has none before it to merge into."; return true; }
      submitWith(merge, {});
    } else if (kind === "quote") {
      const words = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
      if (!words.trim()) { status.textContent = "Select the words to quote first."; return true; }
      row.querySelector("input.editor-quote-words").value = words;
      submitWith(row.querySelector("button.editor-quote"), {});
    }
    return true;
  };

  document.addEventListener("keydown", (event) => {
    const key = event.key.toLowerCase();
    if ((event.ctrlKey || event.metaKey) && !event.altKey && key === "s") {
      event.preventDefault();
      const save = form.querySelector("input[name=_continue]") || form.querySelector("input[name=_save]");
      if (save) form.requestSubmit(save);
      return;
    }
    const textarea = event.target.closest && event.target.closest("textarea.segment-text");
    if (!textarea || !event.altKey || event.ctrlKey || event.metaKey) return;
    // By physical key: Alt+Q types "œ" on a Mac keyboard.
    const kind = { Enter: "split", NumpadEnter: "split", KeyM: "merge", KeyQ: "quote" }[event.code];
    if (kind && segmentAction(textarea, kind)) event.preventDefault();
  });
});
