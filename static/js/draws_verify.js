// Re-checks the commitment in the browser, independently of the server's own recomputation:
// SHA-256 of the downloaded list (and of the seed, once revealed) against the published hashes.
(function () {
  "use strict";
  var out = document.getElementById("browser-check");
  if (!out || !window.crypto || !window.crypto.subtle || !window.fetch) return;

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }
  function bytesFromHex(text) {
    var bytes = new Uint8Array(text.length / 2);
    for (var i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.substr(i * 2, 2), 16);
    return bytes;
  }

  out.textContent = "Checking the list in your browser…";
  fetch(out.dataset.listUrl, { credentials: "same-origin" })
    .then(function (response) { return response.arrayBuffer(); })
    .then(function (data) { return crypto.subtle.digest("SHA-256", data); })
    .then(function (digest) {
      var messages = [];
      var ok = hex(digest) === out.dataset.listSha256;
      messages.push(ok ? "Your browser computed the same SHA-256 for the list." : "The list does NOT match its SHA-256.");
      if (!out.dataset.seed) return [ok, messages];
      return crypto.subtle.digest("SHA-256", bytesFromHex(out.dataset.seed)).then(function (seedDigest) {
        var seedOk = hex(seedDigest) === out.dataset.seedSha256;
        messages.push(seedOk ? "The revealed seed matches its SHA-256." : "The seed does NOT match its SHA-256.");
        return [ok && seedOk, messages];
      });
    })
    .then(function (result) {
      out.textContent = result[1].join(" ");
      out.className = result[0] ? "draw-verdict ok" : "draw-verdict failed";
    })
    .catch(function () { out.textContent = "Your browser could not re-check the list; download it instead."; });
})();
