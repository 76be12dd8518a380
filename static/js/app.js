// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
    // No service worker (private mode, old phone): the app still works online.
  });

  // After a logout or a new login nothing the previous user saw may stay on a shared phone.
  if (document.body && document.body.dataset.forgetPages && window.caches) caches.delete("pages");
})();
