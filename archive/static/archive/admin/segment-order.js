// Drag a segment row by its handle to reorder; the order inputs are rewritten
// to 1..n, and the server renumbers positions on save. Without JavaScript the
// numbers can be typed instead.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const tbody = document.querySelector(".segment-inline tbody");
  if (!tbody) return;
  let dragged = null;

  const renumber = () => {
    let n = 1;
    for (const input of tbody.querySelectorAll("tr.form-row:not(.empty-form) input.segment-order")) {
      const row = input.closest("tr");
      if (row.querySelector("input[name$='-DELETE']:checked")) continue;
      input.value = n++;
    }
  };

  const prepare = (row) => {
    const input = row.querySelector("input.segment-order");
    if (!input || row.querySelector(".segment-handle")) return;
    const handle = document.createElement("span");
    handle.className = "segment-handle";
    handle.textContent = "⠿";
    handle.title = "Drag to reorder";
    handle.style.cursor = "grab";
    handle.style.padding = "0 .4em";
    handle.addEventListener("mousedown", () => { row.draggable = true; });
    input.before(handle);
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      event.dataTransfer.effectAllowed = "move";
    });
    row.addEventListener("dragend", () => { row.draggable = false; dragged = null; renumber(); });
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const middle = row.getBoundingClientRect().top + row.offsetHeight / 2;
      row.parentNode.insertBefore(dragged, event.clientY < middle ? row : row.nextSibling);
    });
    row.addEventListener("drop", (event) => { event.preventDefault(); renumber(); });
  };

  tbody.querySelectorAll("tr.form-row").forEach(prepare);
  document.addEventListener("formset:added", (event) => {
    prepare(event.target);
    renumber();
  });
});
