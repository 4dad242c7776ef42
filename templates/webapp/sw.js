// The service worker (served at /sw.js by advocacy/webapp.py, so its scope is the whole site).
// - Static files: from the cache, fetched and kept the first time.
// - Pages: from the network; the last few GET pages that loaded are kept for when there is none,
//   and with neither, the offline page. Never a POST, a redirect, a page marked no-store, or
//   anything under NEVER_KEPT. The page script (static/js/web_app.js) empties the pages cache
//   whenever nobody is signed in (after logging out), so nobody sees another person's pages.
// - Push: shows the notification the server sent, and opens its page when tapped.
"use strict";

var CONFIG = {{ config|safe }};
var VERSION = "__VERSION__";
var STATIC_CACHE = "static-" + VERSION;
var OFFLINE_CACHE = "offline-" + VERSION;
var PAGES_CACHE = "pages-" + VERSION;
var NEVER_KEPT = ["/admin/", "/accounts/", "/api/", "/sso/", "/scim/"];

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(CONFIG.precache); }),
    caches.open(OFFLINE_CACHE).then(function (cache) {
      // Without cookies: the offline page must not show whoever happened to be signed in.
      return fetch(CONFIG.offlineUrl, { credentials: "omit" }).then(function (response) {
        return cache.put(CONFIG.offlineUrl, response);
      });
    })
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  var current = [STATIC_CACHE, OFFLINE_CACHE, PAGES_CACHE];
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return current.indexOf(key) === -1; })
      .map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(request, response) {
  var path = new URL(request.url).pathname;
  var cacheControl = response.headers.get("Cache-Control") || "";
  return response.status === 200 && response.type === "basic" && !response.redirected &&
    !/no-store/.test(cacheControl) &&
    !NEVER_KEPT.some(function (prefix) { return path.indexOf(prefix) === 0; });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    var extra = keys.length - CONFIG.pagesKept;
    return Promise.all(keys.slice(0, Math.max(0, extra)).map(function (key) { return cache.delete(key); }));
  });
}

function page(event) {
  return fetch(event.request).then(function (response) {
    if (keepable(event.request, response)) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES_CACHE).then(function (cache) {
        // Deleted first, so the newest visit goes to the end of the list that trim() shortens.
        return cache.delete(event.request).then(function () { return cache.put(event.request, copy); })
          .then(function () { return trim(cache); });
      }));
    }
    return response;
  }, function () {
    return caches.open(PAGES_CACHE).then(function (cache) { return cache.match(event.request); })
      .then(function (kept) { return kept || caches.match(CONFIG.offlineUrl); });
  });
}

function staticFile(event) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(event.request).then(function (kept) {
      return kept || fetch(event.request).then(function (response) {
        if (response.status === 200) { cache.put(event.request, response.clone()); }
        return response;
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (new URL(request.url).pathname.indexOf(CONFIG.staticPrefix) === 0) {
    event.respondWith(staticFile(event));
  }
});

self.addEventListener("push", function (event) {
  var message = {};
  try { message = event.data ? event.data.json() : {}; } catch (error) { message = {}; }
  event.waitUntil(self.registration.showNotification(message.title || "Advocacy", {
    body: message.body || "",
    tag: message.tag || undefined,
    icon: CONFIG.icon,
    data: { url: message.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL(event.notification.data && event.notification.data.url || "/", self.location.origin);
  if (target.origin !== self.location.origin) { target = new URL("/", self.location.origin); }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === target.href && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(target.href);
  }));
});
