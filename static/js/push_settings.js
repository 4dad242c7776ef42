// Notification settings: turn web push on or off for this browser in one tap. On: ask the
// browser's permission, subscribe its PushManager with the server's VAPID key, and send the
// subscription (endpoint and keys) to the server. Off: unsubscribe here and tell the server.
(function () {
  "use strict";
  var box = document.querySelector("[data-push-device]");
  if (!box) { return; }
  var state = box.querySelector("[data-push-state]");
  var status = box.querySelector("[data-push-status]");
  var onButton = box.querySelector("[data-push-on]");
  var offButton = box.querySelector("[data-push-off]");
  var csrf = box.querySelector("[data-push-csrf]").value;

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) { return; }

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes;
  }

  function send(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || "The server refused (" + response.status + ")."); }
        return data;
      });
    });
  }

  function show(subscribed) {
    onButton.hidden = subscribed;
    offButton.hidden = !subscribed;
    state.textContent = subscribed
      ? "Push is on for this device."
      : (Notification.permission === "denied"
        ? "This browser blocks notifications from this site; allow them in its site settings first."
        : "Push is off for this device.");
  }

  function registration() { return navigator.serviceWorker.ready; }

  onButton.addEventListener("click", function () {
    status.textContent = "";
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("Notifications were not allowed, so push stays off."); }
      return registration();
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        return existing || reg.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.vapidKey)
        });
      });
    }).then(function (subscription) {
      return send(box.dataset.subscribeUrl, subscription.toJSON());
    }).then(function () {
      show(true);
      status.textContent = "Push is on. Choose below what you want to hear about.";
    }).catch(function (error) {
      show(false);
      status.textContent = error.message;
    });
  });

  offButton.addEventListener("click", function () {
    status.textContent = "";
    registration().then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (subscription) {
      if (!subscription) { return null; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () {
        return send(box.dataset.unsubscribeUrl, { endpoint: endpoint });
      });
    }).then(function () {
      show(false);
      status.textContent = "Done: nothing more will be pushed to this device.";
    }).catch(function (error) { status.textContent = error.message; });
  });

  registration().then(function (reg) { return reg.pushManager.getSubscription(); })
    .then(function (subscription) { show(Boolean(subscription)); }, function () { show(false); });
})();
