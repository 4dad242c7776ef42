// The guidelines' caption editor: asks the server to check the caption as the person
// types and shows what it says. The rules live only on the server (guidelines.services.caption_check);
// this file only sends the text and displays the answer (always as text, never as HTML).
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;

  function csrfToken(editor) {
    if (editor.dataset.csrfToken) return editor.dataset.csrfToken;
    var form = editor.closest("form");
    var input = (form || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function selectedNetwork(editor) {
    var scope = editor.closest("form") || document;
    var checked = scope.querySelector("input[name=network]:checked");
    if (checked) return checked.value;
    var select = scope.querySelector("select[name=network]");
    return select ? select.value : editor.dataset.network || "linkedin";
  }

  function setup(editor) {
    var textarea = editor.querySelector("[data-caption-input]");
    var summary = editor.querySelector("[data-caption-count-summary]");
    var counts = editor.querySelector("[data-caption-counts]");
    var problems = editor.querySelector("[data-caption-problems]");
    var heading = editor.querySelector("[data-caption-problems-heading]");
    var okNote = editor.querySelector("[data-caption-ok]");
    var nudge = editor.querySelector("[data-caption-nudge]");
    var timer = null;
    var inFlight = null;
    var sequence = 0;

    function render(result, network) {
      Object.keys(result.counts).forEach(function (name) {
        var row = counts.querySelector('[data-network="' + name + '"]');
        if (!row) return;
        var count = result.counts[name];
        row.querySelector("[data-count]").textContent = count.count;
        row.querySelector("[data-limit]").textContent = count.limit;
        row.classList.toggle("over", count.over);
        row.classList.toggle("current", name === network);
      });
      var chosen = result.counts[network];
      if (chosen) {
        var row = counts.querySelector('[data-network="' + network + '"]');
        var label = row ? row.dataset.label : network;
        summary.textContent = label + ": " + chosen.count + " of " + chosen.limit + " characters" + (chosen.over ? " (too long)" : "");
        summary.classList.toggle("over", chosen.over);
      }
      problems.textContent = "";
      result.problems.forEach(function (problem) {
        var item = document.createElement("li");
        item.className = "caption-problem";
        item.dataset.code = problem.code;
        item.textContent = problem.message;
        problems.appendChild(item);
      });
      heading.hidden = result.ok;
      okNote.hidden = !result.ok;
      nudge.hidden = !result.unchanged_from_suggestion;
      editor.classList.toggle("has-problems", !result.ok);
      // The share panel listens: it disables its button and updates its preview's count.
      editor.dispatchEvent(new CustomEvent("caption:checked", { bubbles: true, detail: { result: result, network: network } }));
    }

    function check() {
      var network = selectedNetwork(editor);
      var mine = ++sequence;
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      fetch(editor.dataset.checkUrl, {
        method: "POST",
        credentials: "same-origin",
        signal: inFlight.signal,
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": csrfToken(editor),
          "X-Requested-With": "XMLHttpRequest"
        },
        body: JSON.stringify({ post: Number(editor.dataset.postId), network: network, caption: textarea.value })
      })
        .then(function (response) {
          if (!response.ok) throw new Error("check failed: " + response.status);
          return response.json();
        })
        .then(function (result) {
          if (mine === sequence) render(result, network);
        })
        .catch(function (error) {
          if (error.name === "AbortError" || mine !== sequence) return;
          // The share is still checked on the server when submitted; say so rather than go quiet.
          summary.textContent = "The live check is unavailable; your caption will be checked when you share.";
        });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(check, DEBOUNCE_MS);
    }

    textarea.addEventListener("input", schedule);
    var scope = editor.closest("form") || document;
    scope.addEventListener("change", function (event) {
      if (event.target && event.target.name === "network") {
        // Let other handlers (e.g. the share panel swapping in the network's suggestion) run first.
        setTimeout(check, 0);
      }
    });
    editor.classList.add("is-live");
    check();
  }

  document.querySelectorAll("[data-caption-editor]").forEach(setup);
})();
