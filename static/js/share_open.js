// After sharing: a "copy caption" button (the page works without it).
(function () {
  "use strict";
  var button = document.querySelector("[data-copy-caption]");
  var text = document.querySelector("[data-caption-text]");
  var status = document.querySelector("[data-share-status]");
  if (!button || !text || !navigator.clipboard) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(text.value).then(
      function () { status.textContent = "Caption copied."; },
      function () { status.textContent = "Could not copy; select the caption and copy it yourself."; }
    );
  });
})();
