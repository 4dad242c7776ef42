// Live per-network preview for the comms post editor, and caption length counts on the post page.
// Counts come from the server (POST /api/guidelines/caption-count/, advocacy.counting), so they
// are the numbers the employee's caption editor and the API show for the same text: counted the
// network's own way, with the tracked link each share adds.
(function () {
  "use strict";
  var DEBOUNCE_MS = 300;

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

  function showCount(card, result) {
    var count = card.querySelector("[data-preview-count]");
    if (!count) { return; }
    if (!result) {
      count.textContent = "The count is unavailable; captions are checked again when shared.";
      card.classList.remove("over-limit");
      return;
    }
    var withLink = card.dataset.network === "facebook" ? "" : " with the link";
    count.textContent = result.count + " / " + result.limit + " characters" + withLink;
    card.classList.toggle("over-limit", result.over);
    if (result.over) { count.textContent += " — too long for " + card.dataset.label; }
  }

  // Asks the server for the counts of {network: text}; the latest answer wins.
  function counter(root) {
    var url = root.dataset.countUrl;
    var token = root.dataset.csrfToken || "";
    var sequence = 0;
    var inFlight = null;
    return function (texts, done) {
      var mine = ++sequence;
      if (inFlight) { inFlight.abort(); }
      inFlight = new AbortController();
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        signal: inFlight.signal,
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": token,
          "X-Requested-With": "XMLHttpRequest"
        },
        body: JSON.stringify({ captions: texts })
      })
        .then(function (response) {
          if (!response.ok) { throw new Error("count failed: " + response.status); }
          return response.json();
        })
        .then(function (result) { if (mine === sequence) { done(result.counts); } })
        .catch(function (error) {
          if (error.name === "AbortError" || mine !== sequence) { return; }
          done({});
        });
    };
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

    var count = counter(grid.closest("[data-preview-root]"));
    var timer = null;

    function recount(texts) {
      count(texts, function (counts) {
        cards.forEach(function (card) { showCount(card, counts[card.dataset.network]); });
      });
    }

    function render() {
      var tags = hashtags(tagsField ? tagsField.value : "");
      var texts = {};
      cards.forEach(function (card, index) {
        var text = withHashtags(overrides[index].value.trim() || (general ? general.value.trim() : ""), tags);
        texts[card.dataset.network] = text;
        card.querySelector("[data-preview-caption]").textContent = text || "(no caption yet)";
        card.querySelector("[data-preview-title]").textContent = title ? title.value : "";
        card.querySelector("[data-preview-domain]").textContent = linkField ? domainOf(linkField.value) : "";
        var img = card.querySelector("[data-preview-img]");
        if (imageUrl) { img.src = imageUrl; img.hidden = false; } else { img.hidden = true; }
      });
      return texts;
    }

    form.addEventListener("input", function () {
      var texts = render();
      clearTimeout(timer);
      timer = setTimeout(function () { recount(texts); }, DEBOUNCE_MS);
    });
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
    recount(render());
  }

  function initPostPage(root) {
    var cards = Array.prototype.slice.call(root.querySelectorAll(".preview-card"));
    var texts = {};
    cards.forEach(function (card) {
      card.dataset.label = card.querySelector("h3").textContent;
      texts[card.dataset.network] = card.querySelector("[data-preview-caption]").textContent.trim();
    });
    if (!cards.length) { return; }
    counter(root)(texts, function (counts) {
      cards.forEach(function (card) { showCount(card, counts[card.dataset.network]); });
    });
  }

  var form = document.querySelector("[data-post-editor]");
  if (form) { initEditor(form); }
  var root = document.querySelector("[data-preview-root]");
  if (root && !form) { initPostPage(root); }
})();
