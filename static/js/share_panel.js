// Share panel: swap in each network's suggested caption until the person edits it,
// copy the caption, and open the network's composer in a new tab. Without this
// script the form still works: the server records the share and redirects.
(function () {
  "use strict";
  document.querySelectorAll("[data-share-form]").forEach(function (form) {
    var caption = form.querySelector("textarea[name=caption]");
    var status = form.querySelector("[data-share-status]");
    var copyButton = form.querySelector("[data-copy-caption]");
    var noTextNote = form.querySelector("[data-no-text-note]");
    var handle = form.querySelector("[data-mastodon-handle]");
    var edited = false;

    function checked() {
      return form.querySelector("input[name=network]:checked");
    }

    function say(message) {
      if (status) { status.textContent = message; }
    }

    function refresh() {
      var network = checked();
      if (noTextNote) { noTextNote.hidden = !network || network.dataset.takesText !== "no"; }
      if (handle) { handle.hidden = !network || network.value !== "mastodon"; }
    }

    if (caption) {
      caption.addEventListener("input", function (event) {
        if (event.isTrusted) { edited = true; }
      });
    }

    form.querySelectorAll("input[name=network]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (caption && !edited) {
          caption.value = radio.dataset.caption || "";
          // Lets the caption editor re-run its live checks for the new network.
          caption.dispatchEvent(new Event("input", { bubbles: true }));
        }
        refresh();
      });
    });

    if (copyButton && caption && navigator.clipboard) {
      copyButton.hidden = false;
      copyButton.addEventListener("click", function () {
        navigator.clipboard.writeText(caption.value).then(
          function () { say("Caption copied."); },
          function () { say("Could not copy; select the caption and copy it yourself."); }
        );
      });
    }

    form.addEventListener("submit", function () {
      var network = checked();
      if (!network) { return; }
      if (network.value === "email") {
        // A mail program opens instead of a tab; stay here.
        form.removeAttribute("target");
        return;
      }
      form.target = "_blank";
      say("Opening " + network.parentElement.textContent.trim().split("\n")[0] +
          " in a new tab. Once you have posted, add your post's link in My activity.");
    });

    refresh();
  });
})();
