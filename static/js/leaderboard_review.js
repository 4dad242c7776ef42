// HR review: ask before voiding, since the points come off every board. dialogs.js asks in a <dialog>
// wherever the browser has one; this window.confirm() is only for a browser without it.
(function () {
  "use strict";
  if (typeof HTMLDialogElement === "function") return;
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
})();
