// Guidelines portal: filter the guidelines in the page as the person types in the search box.
// Without JavaScript the same box submits and the server lists matching excerpts.
(function () {
  "use strict";
  var input = document.querySelector("[data-guidelines-search-input]");
  var status = document.querySelector("[data-guidelines-search-status]");
  if (!input) return;
  var articles = Array.prototype.slice.call(document.querySelectorAll("[data-guideline]"));
  var timer = null;

  function filter() {
    var needle = input.value.trim().toLocaleLowerCase();
    var shown = 0;
    articles.forEach(function (article) {
      var match = !needle || article.textContent.toLocaleLowerCase().indexOf(needle) !== -1;
      article.hidden = !match;
      var tocEntry = document.querySelector('[data-toc-document="' + article.id.replace(/^doc-/, "") + '"]');
      if (tocEntry) tocEntry.hidden = !match;
      if (match) shown += 1;
    });
    status.textContent = needle ? shown + " of " + articles.length + " guidelines mention “" + input.value.trim() + "”." : "";
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(filter, 150);
  });
})();
