// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Quick exit: leave at once, and leave this page out of the back button's way.
  // On her own page, switching language replaces the page too: Back after Exit must find nothing of hers.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit], .languages a");
    if (!link || (!link.hasAttribute("data-quick-exit") && !document.querySelector("[data-quick-exit]"))) return;
    event.preventDefault();
    location.replace(link.href);
  });

  // Her page may be opened from the phone days after it was kept: "today" and "tomorrow" follow the clock.
  Array.prototype.forEach.call(document.querySelectorAll("[data-relative-day]"), function (badge) {
    var day = new Date(badge.dataset.relativeDay);
    var today = new Date();
    var days = Math.round((new Date(day.getFullYear(), day.getMonth(), day.getDate()) -
      new Date(today.getFullYear(), today.getMonth(), today.getDate())) / 86400000);
    badge.hidden = days !== 0 && days !== 1;
    badge.textContent = days === 0 ? badge.dataset.today : badge.dataset.tomorrow;
  });

  // Her personal link: send its one button at once, and take the token out of the history first.
  var opener = document.querySelector("form[data-auto-submit]");
  if (opener) {
    history.replaceState(null, "", opener.dataset.autoSubmit);
    opener.submit();
  }

  // A search that answers as she types needs htmx (15 KB): fetched when she first goes to the field, not
  // with the page. Until then, and without JavaScript, the field's form searches as a plain form.
  document.addEventListener("focusin", function loadHtmx(event) {
    var field = event.target.closest && event.target.closest("[data-htmx-src]");
    if (!field || window.htmx) return;
    document.removeEventListener("focusin", loadHtmx);
    var script = document.createElement("script");
    script.src = field.dataset.htmxSrc;
    script.onload = function () {
      if (field.value) window.htmx.trigger(field, "search"); // what she typed while it came
    };
    // htmx starts on DOMContentLoaded or on a complete document: not in between.
    if (document.readyState === "complete") document.head.appendChild(script);
    else window.addEventListener("load", function () { document.head.appendChild(script); });
  });

  if (!("serviceWorker" in navigator)) return;

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
    // No service worker (private mode, old phone): the app still works online.
  });

  // Her own page, kept on the phone for use offline (in each language: the service worker keeps the
  // others from her second visit on, so that a first visit downloads little more than what she sees).
  var keep = document.querySelector("[data-keep-offline]");
  if (keep) {
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ keep: JSON.parse(keep.dataset.keepOffline) });
    });
  }

  // After a logout or a new login nothing the previous user saw may stay on a shared phone.
  // The page just shown is this user's own and may stay (the service worker saved it a moment ago).
  // The check-in lists of other logins go too (this login's own list may stay: it may be needed offline).
  if (document.body && document.body.dataset.forgetPages) {
    try {
      var box = document.querySelector("[data-outbox]");
      var mine = "roster:" + (box ? box.dataset.user : "");
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf("roster") === 0 && key !== mine) localStorage.removeItem(key);
      });
    } catch (error) { /* storage off: nothing kept */ }
  }
  var forgotten = Promise.resolve();
  if (document.body && document.body.dataset.forgetPages && window.caches) {
    forgotten = caches.open("pages").then(function (cache) {
      return cache.keys().then(function (requests) {
        return Promise.all(requests.filter(function (request) {
          return new URL(request.url).pathname !== location.pathname;
        }).map(function (request) { return cache.delete(request); }));
      });
    });
  }

  // A staff login keeps every page of her role on the phone (the service worker fetches them), so the
  // stairwell works offline without having opened each page first. Asked for once per login.
  if (document.querySelector("[data-outbox]") && window.caches) {
    forgotten.then(function () { return caches.match("/offline-kit-kept"); }).then(function (kept) {
      if (kept) return;
      return navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ kit: true });
      });
    }).catch(function () { /* no storage: the pages are kept as they are opened */ });
  }
})();
