// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
    // No service worker (private mode, old phone): the app still works online.
  });

  if (document.body && document.body.dataset.signedOut) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage("forget-pages");
    });
    if (window.caches) caches.delete("pages");
  }
})();
