// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
    // No service worker (private mode, old phone): the app still works online.
  });

  // After a logout or a new login nothing the previous user saw may stay on a shared phone.
  // The page just shown is this user's own and may stay (the service worker saved it a moment ago).
  if (document.body && document.body.dataset.forgetPages && window.caches) {
    caches.open("pages").then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) {
          return new URL(request.url).pathname !== location.pathname;
        }).map(function (request) { return cache.delete(request); }));
      });
    });
  }
})();
