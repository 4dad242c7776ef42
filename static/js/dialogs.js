// <form data-confirm="Question?" data-confirm-button="Delete"> asks in a <dialog> before it submits.
// Without this script (or without <dialog>) the form submits as it is: the server never relies on the question.
(function () {
  "use strict";
  var dialog;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.innerHTML =
      '<form method="dialog">' +
      '<h2 id="confirm-dialog-title">Please confirm</h2>' +
      '<p class="dialog-question"></p>' +
      '<div class="button-row">' +
      '<button type="submit" value="cancel" class="button">Cancel</button>' +
      '<button type="submit" value="confirm" class="button primary dialog-confirm">Confirm</button>' +
      "</div></form>";
    document.body.appendChild(dialog);
  }

  function ask(form, submitter) {
    if (!dialog) build();
    dialog.querySelector(".dialog-question").textContent = form.dataset.confirm;
    var confirm = dialog.querySelector(".dialog-confirm");
    confirm.textContent = form.dataset.confirmButton || "Confirm";
    confirm.classList.toggle("danger", form.dataset.confirmDanger !== undefined);
    dialog.returnValue = "";
    dialog.onclose = function () {
      if (dialog.returnValue !== "confirm") return;
      form.dataset.confirmed = "yes";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    };
    dialog.showModal();
    dialog.querySelector('[value="cancel"]').focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (typeof HTMLDialogElement !== "function") return;
    if (form.dataset.confirmed === "yes") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(form, event.submitter);
  }, true);
})();
