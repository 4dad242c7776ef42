// Makes the site an installable app: registers the service worker (/sw.js), and empties the
// cache of pages it keeps whenever nobody is signed in here, so after logging out the next
// person never sees the previous person's pages offline.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) { return; }
  if (script.dataset.signedIn !== "yes" && window.caches) {
    caches.keys().then(function (keys) {
      keys.filter(function (key) { return key.indexOf("pages-") === 0; })
        .forEach(function (key) { caches.delete(key); });
    });
  }
  navigator.serviceWorker.register(script.dataset.serviceWorker, { scope: "/" }).catch(function () {
    // No worker (private mode, an old browser, plain http on a non-local host): the site works as a site.
  });
})();
