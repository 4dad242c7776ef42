// A search box over a long list of checkboxes (div.filter-list): typing narrows the list to
// the names that contain the text; ticked ones always stay in sight and are counted.
// Without this script the whole list shows and works the same.
(function () {
  "use strict";
  document.querySelectorAll("div.filter-list").forEach(function (list, index) {
    var items = Array.prototype.slice.call(list.children);
    var box = document.createElement("div");
    box.className = "filter-list-search";
    var id = "filter-list-search-" + index;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Search the list";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", list.id || "");
    var status = document.createElement("p");
    status.className = "help";
    status.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    list.parentNode.insertBefore(box, list);

    function update() {
      var needle = input.value.trim().toLowerCase();
      var shown = 0, chosen = 0;
      items.forEach(function (item) {
        var checkbox = item.querySelector("input[type=checkbox]");
        var ticked = checkbox && checkbox.checked;
        if (ticked) { chosen += 1; }
        var match = !needle || item.textContent.toLowerCase().indexOf(needle) !== -1 || ticked;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = shown + " of " + items.length + " shown, " + chosen + " ticked.";
    }
    input.addEventListener("input", update);
    list.addEventListener("change", update);
    update();
  });
})();
