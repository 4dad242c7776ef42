// Share panel: swap in each network's suggested caption until the person edits it, show
// the chosen network's fields and its post card, keep the Share button disabled (saying
// why) while the caption breaks a rule, send a form once however often it is clicked,
// copy the caption, and open the network's composer in a new tab. Without this script
// the form still works: the server checks, records the share once and redirects.
(function () {
  "use strict";
  // Long enough for the new tab to open; after it the person may share again on purpose.
  var RESEND_AFTER_MS = 4000;

  document.querySelectorAll("[data-share-form]").forEach(function (form) {
    var caption = form.querySelector("textarea[name=caption]");
    var status = form.querySelector("[data-share-status]");
    var copyButton = form.querySelector("[data-copy-caption]");
    var noTextNote = form.querySelector("[data-no-text-note]");
    var handle = form.querySelector("[data-mastodon-handle]");
    var button = form.querySelector("[data-share-button]");
    var reason = form.querySelector("[data-share-reason]");
    var previews = form.querySelectorAll("[data-share-preview]");
    var edited = false;
    var sending = false;
    var refused = "";

    function checked() {
      return form.querySelector("input[name=network]:checked");
    }

    function say(message) {
      if (status) { status.textContent = message; }
    }

    function labelOf(network) {
      return network.parentElement.textContent.trim().split("\n")[0].trim();
    }

    function previewText(card) {
      var text = caption ? caption.value.replace(/\r\n?/g, "\n").trim() : "";
      var network = card.dataset.sharePreview;
      var link = card.dataset.link || "";
      if (network === "facebook") { return text; }
      if (!text) { return link; }
      // As advocacy.networks.text_sent joins them: a space on X and Threads, a blank line elsewhere.
      return text + (network === "x" || network === "threads" ? " " : "\n\n") + link;
    }

    function updateButton() {
      if (!button) { return; }
      button.disabled = sending || refused !== "";
      if (reason) {
        reason.hidden = refused === "";
        reason.textContent = refused ? "Share is off until the caption is fixed: " + refused : "";
      }
    }

    function refresh() {
      var network = checked();
      if (noTextNote) { noTextNote.hidden = !network || network.dataset.takesText !== "no"; }
      if (handle) { handle.hidden = !network || network.value !== "mastodon"; }
      previews.forEach(function (card) {
        card.hidden = !network || card.dataset.sharePreview !== network.value;
        var text = card.querySelector("[data-preview-text]");
        if (text) { text.textContent = previewText(card); }
      });
    }

    form.addEventListener("caption:checked", function (event) {
      var result = event.detail.result;
      previews.forEach(function (card) {
        var count = result.counts[card.dataset.sharePreview];
        var line = card.querySelector("[data-preview-count]");
        if (!count || !line) { return; }
        var label = line.textContent.split("counted as ")[1] || "";
        line.textContent = count.count + " / " + count.limit + " characters, counted as " + label;
        line.classList.toggle("over", count.over);
      });
      var network = checked();
      refused = (network && event.detail.network !== network.value) ? refused :
        result.problems.map(function (problem) { return problem.message; }).join(" ");
      updateButton();
    });

    if (caption) {
      caption.addEventListener("input", function (event) {
        if (event.isTrusted) { edited = true; }
        refresh();
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

    form.addEventListener("submit", function (event) {
      if (sending || refused) {
        // A second click while the first is on its way (or a caption that breaks a rule).
        event.preventDefault();
        return;
      }
      var network = checked();
      if (!network) { return; }
      sending = true;
      // Disabled after this event, so the first submission still goes; a second click finds it off.
      setTimeout(updateButton, 0);
      setTimeout(function () { sending = false; updateButton(); }, RESEND_AFTER_MS);
      if (network.value === "email" || form.hasAttribute("data-acknowledge-first")) {
        // A mail program opens instead of a tab, or the policy comes first: stay here.
        form.removeAttribute("target");
        return;
      }
      form.target = "_blank";
      say("Opening " + labelOf(network) +
          " in a new tab. Once you have posted, add your post's link in My activity.");
    });

    refresh();
  });
})();
