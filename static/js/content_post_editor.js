// Live per-network preview for the comms post editor, and caption length counts on the post page.
(function () {
  "use strict";
  // X counts every link as 23 characters, whatever its length.
  var LINK = /https?:\/\/\S+/g;

  function hashtags(raw) {
    var seen = {}, tags = [];
    (raw || "").split(/[\s#]+/).forEach(function (word) {
      if (word && !seen[word.toLowerCase()]) { seen[word.toLowerCase()] = true; tags.push("#" + word); }
    });
    return tags;
  }

  function withHashtags(caption, tags) {
    var lower = caption.toLowerCase();
    tags.forEach(function (tag) { if (lower.indexOf(tag.toLowerCase()) === -1) { caption += " " + tag; } });
    return caption.trim();
  }

  function length(text, network) {
    return network === "x" ? text.replace(LINK, "x".repeat(23)).length : text.length;
  }

  function showCount(card, text, limit) {
    var count = card.querySelector("[data-preview-count]");
    if (!count) { return; }
    var used = length(text, card.dataset.network);
    count.textContent = limit ? used + " / " + limit + " characters" : used + " characters";
    card.classList.toggle("over-limit", Boolean(limit) && used > limit);
    if (limit && used > limit) { count.textContent += " — too long for " + card.dataset.label; }
  }

  function makeCard(textarea) {
    var card = document.createElement("article");
    card.className = "preview-card";
    card.dataset.network = textarea.dataset.caption;
    card.dataset.label = textarea.dataset.label;
    var heading = document.createElement("h3");
    heading.textContent = textarea.dataset.label;
    var caption = document.createElement("p");
    caption.className = "preview-caption";
    caption.setAttribute("data-preview-caption", "");
    var count = document.createElement("p");
    count.className = "preview-count help";
    count.setAttribute("data-preview-count", "");
    var link = document.createElement("div");
    link.className = "preview-link";
    var img = document.createElement("img");
    img.className = "preview-image";
    img.alt = "";
    img.hidden = true;
    img.setAttribute("data-preview-img", "");
    var title = document.createElement("strong");
    title.setAttribute("data-preview-title", "");
    var domain = document.createElement("span");
    domain.className = "muted";
    domain.setAttribute("data-preview-domain", "");
    link.append(img, title, domain);
    card.append(heading, caption, count, link);
    return card;
  }

  function initEditor(form) {
    var grid = document.querySelector("[data-preview-grid]");
    if (!grid) { return; }
    var general = form.querySelector("[data-caption='default']");
    var overrides = Array.prototype.slice.call(form.querySelectorAll("textarea[data-caption]:not([data-caption='default'])"));
    var title = form.querySelector("[data-preview-title]");
    var tagsField = form.querySelector("[data-preview-hashtags]");
    var linkField = form.querySelector("[data-preview-link]");
    var fileField = form.querySelector("[data-preview-image]");
    var existing = document.querySelector("[data-existing-image]");
    var cards = overrides.map(function (textarea) { var card = makeCard(textarea); grid.appendChild(card); return card; });
    var imageUrl = existing ? existing.getAttribute("src") : "";

    function domainOf(url) {
      try { return new URL(url).hostname; } catch (error) { return ""; }
    }

    function render() {
      var tags = hashtags(tagsField ? tagsField.value : "");
      cards.forEach(function (card, index) {
        var text = withHashtags(overrides[index].value.trim() || (general ? general.value.trim() : ""), tags);
        card.querySelector("[data-preview-caption]").textContent = text || "(no caption yet)";
        card.querySelector("[data-preview-title]").textContent = title ? title.value : "";
        card.querySelector("[data-preview-domain]").textContent = linkField ? domainOf(linkField.value) : "";
        var img = card.querySelector("[data-preview-img]");
        if (imageUrl) { img.src = imageUrl; img.hidden = false; } else { img.hidden = true; }
        showCount(card, text, Number(overrides[index].dataset.limit) || 0);
      });
    }

    form.addEventListener("input", render);
    if (fileField) {
      fileField.addEventListener("change", function () {
        var file = fileField.files && fileField.files[0];
        if (!file) { imageUrl = existing ? existing.getAttribute("src") : ""; render(); return; }
        // A data: URL, because the Content-Security-Policy allows data: images but not blob:.
        var reader = new FileReader();
        reader.onload = function () { imageUrl = String(reader.result); render(); };
        reader.readAsDataURL(file);
      });
    }
    render();
  }

  var LIMITS = { linkedin: 3000, x: 280, facebook: 63206, mastodon: 500, bluesky: 300 };

  function initPostPage(root) {
    root.querySelectorAll(".preview-card").forEach(function (card) {
      var caption = card.querySelector("[data-preview-caption]");
      card.dataset.label = card.querySelector("h3").textContent;
      showCount(card, caption.textContent.trim(), LIMITS[card.dataset.network] || 0);
    });
  }

  var form = document.querySelector("[data-post-editor]");
  if (form) { initEditor(form); }
  var root = document.querySelector("[data-preview-root]");
  if (root && !form) { initPostPage(root); }
})();
