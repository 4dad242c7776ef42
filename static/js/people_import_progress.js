// The import's progress bar: polls the JSON status until the import finishes, then reloads
// the page once so the rows show their outcomes. Without JavaScript the page is still right
// when reloaded by hand.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section) return;
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("import-progress-bar");
  var finished = ["done", "failed", "discarded"];
  if (finished.indexOf(section.getAttribute("data-status")) !== -1) return;

  function show(status) {
    bar.value = status.percent;
    bar.textContent = status.percent + "%";
    section.setAttribute("data-status", status.status);
    ["percent", "status_label", "processed", "created", "updated", "unchanged", "message"].forEach(function (name) {
      var field = section.querySelector('[data-field="' + name + '"]');
      if (!field) return;
      field.textContent = status[name];
      if (name === "message") field.hidden = !status.message;
    });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          window.setTimeout(function () { window.location.reload(); }, 600);
        } else {
          window.setTimeout(poll, 700);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
