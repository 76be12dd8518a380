// Service worker: keeps the app shell and the pages marked for offline use on the phone.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = "shell-" + VERSION;
const PAGE_CACHE = "pages";
const SHELL = {{ (shell + offline_pages)|tojson }};
const OFFLINE_HEADER = "X-Offline-Page";
const LANGUAGE_IN_PATH = new RegExp("^/(" + {{ languages|join("|")|tojson }} + ")(/|$)");

self.addEventListener("install", (event) => {
  // Without cookies: the offline pages are the same for everyone and carry no one's session.
  const requests = SHELL.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("shell-") && key !== SHELL_CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("message", (event) => {
  // Sent by the sign-up form: keep its other languages too, so she can switch offline.
  if (event.data && Array.isArray(event.data.keep)) event.waitUntil(keepPages(event.data.keep));
});

async function keepPages(paths) {
  const cache = await caches.open(PAGE_CACHE);
  await Promise.all(paths.filter((path) => LANGUAGE_IN_PATH.test(path)).map(async (path) => {
    try {
      const response = await fetch(path, { credentials: "same-origin" });
      if (response.ok && response.headers.get(OFFLINE_HEADER) === "1") await cache.put(path, response);
    } catch (error) {
      // Offline now: the page will be kept on a later visit.
    }
  }));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(pageFromNetworkOrPhone(request, url));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(fileFromPhoneOrNetwork(request));
  }
});

async function pageFromNetworkOrPhone(request, url) {
  try {
    const response = await fetch(request);
    if (response.redirected && new URL(response.url).pathname.endsWith("/login")) {
      await caches.delete(PAGE_CACHE); // logged out or expired: forget what the last user saw
    }
    if (response.ok && response.headers.get(OFFLINE_HEADER) === "1") {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(url.pathname, response.clone());
    } else if (response.status === 410) {
      await forgetInEveryLanguage(url.pathname); // her link was stopped: no copy stays, in any language
    }
    return response;
  } catch (error) {
    const saved = await caches.match(url.pathname, { ignoreSearch: true });
    if (saved) return saved;
    const match = url.pathname.match(LANGUAGE_IN_PATH);
    const offline = await caches.match("/" + (match ? match[1] : "da") + "/offline");
    return offline || Response.error();
  }
}

async function forgetInEveryLanguage(path) {
  const rest = path.replace(LANGUAGE_IN_PATH, "/");
  const cache = await caches.open(PAGE_CACHE);
  const kept = await cache.keys();
  await Promise.all(kept.filter((request) => new URL(request.url).pathname.replace(LANGUAGE_IN_PATH, "/") === rest)
    .map((request) => cache.delete(request)));
}

async function fileFromPhoneOrNetwork(request) {
  const saved = await caches.match(request);
  if (saved) return saved;
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(SHELL_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    // Offline, and a page kept from an older version asks for an older file: any version will do.
    const older = await caches.match(request, { ignoreSearch: true });
    return older || Response.error();
  }
}
