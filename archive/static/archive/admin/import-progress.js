// The import's upload form, sent with a progress bar. Without this script the
// form posts as usual; with it the same request goes by XMLHttpRequest, whose
// upload events drive the <progress>. The answer is a redirect to the preview
// (followed) or the form again with its one-line refusal.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-import-upload]");
  if (!form || !window.FormData) return;
  const bar = form.querySelector("[data-import-progress]");
  const status = form.querySelector("[data-import-status]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) return;
      bar.value = Math.round((100 * progress.loaded) / progress.total);
      status.textContent = ` ${bar.value}% sent`;
    });
    request.upload.addEventListener("load", () => {
      status.textContent = " Sent; reading the files…";
    });
    request.addEventListener("load", () => {
      const url = new URL(request.responseURL, window.location.href);
      if (request.status === 200 && url.pathname !== new URL(form.action).pathname) {
        window.location.assign(url.href);
      } else {
        // A refusal: show the page the server answered, as a plain post would.
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", () => {
      status.textContent = " The upload failed (the connection was lost); try again.";
    });
    form.querySelector("input[type=submit]").disabled = true;
    request.send(new FormData(form));
  });
});
