// Share from the phone: where the browser has the Web Share API, a "Share from this device"
// button opens the system share sheet with the caption, the tracked link and (when the
// browser can share files) the post's image. The share is recorded first through the API,
// exactly as the Share button records it; without the API the intents stay the way to share.
(function () {
  "use strict";
  document.querySelectorAll("[data-web-share]").forEach(function (button) {
    if (typeof navigator.share !== "function") { return; }
    var form = button.closest("form");
    var status = form.querySelector("[data-share-status]");
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
    var imageFile = null;
    button.hidden = false;

    function say(message) { if (status) { status.textContent = message; } }

    // Fetched ahead, so the tap's permission to open the share sheet is not spent waiting.
    if (button.dataset.image && typeof navigator.canShare === "function") {
      fetch(button.dataset.image, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.blob() : null;
      }).then(function (blob) {
        if (!blob) { return; }
        var name = (button.dataset.image.split("/").pop() || "image").split("?")[0];
        var file = new File([blob], name, { type: blob.type });
        if (navigator.canShare({ files: [file] })) {
          imageFile = file;
          button.dataset.imageReady = "yes";
        }
      }).catch(function () { imageFile = null; });
    }

    button.addEventListener("click", function () {
      var network = form.querySelector("input[name=network]:checked");
      var caption = form.querySelector("textarea[name=caption]");
      if (!network) { say("Choose where you will share it first, so its clicks are counted for that network."); return; }
      say("");
      fetch(button.dataset.webShare, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ post: button.dataset.post, network: network.value, caption: caption ? caption.value : "" })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            var problems = [].concat(data.caption || [], data.non_field_errors || [], data.detail || []);
            throw new Error(problems.join(" ") || "This cannot be shared yet.");
          }
          return data;
        });
      }).then(function (share) {
        var data = { text: share.caption, url: share.tracked_link };
        if (imageFile) { data.files = [imageFile]; }
        return navigator.share(data).then(function () {
          say("Shared. Once you have posted, add your post's link in My activity.");
        }, function (error) {
          if (error && error.name === "AbortError") { say("Sharing cancelled; your tracked link is ready when you are."); return; }
          throw error;
        });
      }).catch(function (error) { say(error.message); });
    });
  });
})();
