"use strict";
// Who else has this report open (archive/admin/together/presence.py): a heartbeat
// every few seconds keeps this user listed for the others and redraws the list.
(function () {
  const box = document.getElementById("presence");
  if (!box) return;
  const url = box.dataset.heartbeatUrl;
  const every = Number(box.dataset.heartbeatSeconds) * 1000;
  const form = box.closest("form");
  let submitting = false;

  function body(extra) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    if (extra) data.append(extra, "1");
    return data;
  }

  function draw(others) {
    const line = box.querySelector(".presence-others");
    box.querySelector(".presence-list").textContent = others
      .map((other) => `${other.name} (since ${other.since_label})`)
      .join(", ");
    line.hidden = others.length === 0;
  }

  function beat(extra) {
    fetch(url, { method: "POST", body: body(extra), credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((answer) => {
        draw(answer.others);
        if (!answer.present) beat("rejoin"); // dropped off while away: back on the list
      })
      .catch(() => {}); // a missed beat; the next one tries again
  }

  setInterval(() => beat(), every);
  form.addEventListener("submit", () => { submitting = true; });
  // Leaving without saving: tell the others at once, not a minute later. A save
  // reopens the form (or leaves it), so it keeps the row rather than flicker.
  // Added on "load", after unsaved-changes.js's handler: when that one asks the
  // user to stay (defaultPrevented), they may well stay, so nothing is sent.
  window.addEventListener("load", () => {
    window.addEventListener("beforeunload", (event) => {
      if (!submitting && !event.defaultPrevented) navigator.sendBeacon(url, body("leaving"));
    });
  });
})();
