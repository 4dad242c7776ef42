// The menu: a button opens it on small screens; one dropdown open at a time; Escape or a click elsewhere closes it.
(function () {
  "use strict";
  document.documentElement.classList.add("js-menu");
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".menu-button");
    if (button) {
      button.addEventListener("click", function () {
        var open = header.classList.toggle("menu-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // A table not yet stacked on a phone scrolls inside itself there: keyboard users must be able to reach it.
    document.querySelectorAll("table.table:not(.data-table)").forEach(function (table) {
      if (!table.hasAttribute("tabindex")) table.setAttribute("tabindex", "0");
    });
    var menus = Array.prototype.slice.call(document.querySelectorAll(".nav-menu"));
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) return;
        menus.forEach(function (other) { if (other !== menu) other.open = false; });
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      menus.forEach(function (menu) {
        if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
      });
    });
  });
})();
