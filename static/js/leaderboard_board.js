// Leaderboard filters: show the chosen board as soon as a filter changes.
// Without JavaScript the "Show board" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (!form) return;
  var status = document.getElementById("board-status");
  form.addEventListener("change", function () {
    if (status) status.textContent = "Loading the board…";
    form.submit();
  });
})();
