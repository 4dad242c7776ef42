// The guidelines' Markdown editor: a toolbar that wraps the selection in Markdown, and a
// preview beside the text that the server renders (the same sanitising as publishing) a
// moment after typing stops. Without this script the Preview button does the same.
(function () {
  "use strict";
  var DEBOUNCE_MS = 500;
  // [label, before, after, placeholder, at line start]
  var TOOLS = [
    ["Bold", "**", "**", "bold text", false],
    ["Italic", "_", "_", "italic text", false],
    ["Heading", "## ", "", "Heading", true],
    ["Link", "[", "](https://)", "link text", false],
    ["Bulleted list", "- ", "", "item", true],
    ["Numbered list", "1. ", "", "item", true],
    ["Quote", "> ", "", "quote", true]
  ];

  function apply(textarea, tool) {
    var before = tool[1], after = tool[2], placeholder = tool[3], lineStart = tool[4];
    var start = textarea.selectionStart, end = textarea.selectionEnd, value = textarea.value;
    var selected = value.slice(start, end) || placeholder;
    if (lineStart && start > 0 && value[start - 1] !== "\n") { before = "\n" + before; }
    if (lineStart) {
      selected = selected.split("\n").map(function (line, index) {
        return index === 0 ? line : tool[1] + line;
      }).join("\n");
    }
    textarea.setRangeText(before + selected + after, start, end, "end");
    textarea.selectionStart = start + before.length;
    textarea.selectionEnd = start + before.length + selected.length;
    textarea.focus();
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function toolbar(textarea) {
    var bar = document.createElement("div");
    bar.className = "markdown-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", textarea.id);
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button small";
      button.textContent = tool[0];
      button.dataset.markdownTool = tool[0];
      button.addEventListener("click", function () { apply(textarea, tool); });
      bar.appendChild(button);
    });
    textarea.parentNode.insertBefore(bar, textarea);
  }

  function livePreview(split, textarea) {
    var target = split.querySelector("[data-markdown-preview]");
    var form = textarea.form;
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!target || !token || !split.dataset.previewUrl) { return; }
    var timer = null, sequence = 0;
    function refresh() {
      var mine = ++sequence;
      var body = new FormData();
      body.append("body", textarea.value);
      fetch(split.dataset.previewUrl, {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRFToken": token.value, "Accept": "application/json" }
      }).then(function (response) { return response.json(); }).then(function (result) {
        if (mine !== sequence) { return; }
        if (result.html !== undefined) {
          // Rendered and sanitised by the server, exactly as the published version would be.
          target.innerHTML = result.html;
        } else if (result.error) {
          target.textContent = result.error;
        }
      }).catch(function () { /* the Preview button still works */ });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, DEBOUNCE_MS);
    });
  }

  document.querySelectorAll("textarea.markdown-source").forEach(function (textarea) {
    toolbar(textarea);
    var split = textarea.closest("[data-markdown-split]");
    if (split) { livePreview(split, textarea); }
  });
})();
