// Service worker: keeps the app shell and the pages marked for offline use on the phone.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = "shell-" + VERSION;
const PAGE_CACHE = "pages";
const KIT_URL = "/api/v1/offline-kit";
const KIT_MARK = "/offline-kit-kept"; // in the page cache while a login's kit is kept: renewed after an update
const SHELL = {{ shell|tojson }};
const OFFLINE_PAGES = {{ offline_pages|tojson }}; // "No connection", one per language
const OFFLINE_HEADER = "X-Offline-Page";
// On the pages kept in the background: the server leaves her messages ("Saved.") for the page she sees next.
const KEEPING = { "X-Offline-Kit": "1" };
const LANGUAGE_IN_PATH = new RegExp("^/(" + {{ languages|join("|")|tojson }} + ")(/|$)");

self.addEventListener("install", (event) => {
  event.waitUntil(keepShell().then(() => self.skipWaiting()));
});

// The files every page needs, and "No connection" in the languages open now: a first visit pays for no
// other language (a staff login's kit keeps the rest; her page falls back to any kept language).
async function keepShell() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = new Set(windows.map((client) => (new URL(client.url).pathname.match(LANGUAGE_IN_PATH) || [])[1]));
  const offline = OFFLINE_PAGES.filter((path) => open.has(path.split("/")[1]));
  // Without cookies: the offline pages are the same for everyone and carry no one's session.
  // None open in a language yet (a page on its way): the first page kept brings its own (keepOfflinePageFor).
  const requests = SHELL.concat(offline).map((url) => new Request(url, { credentials: "omit" }));
  const cache = await caches.open(SHELL_CACHE);
  await cache.addAll(requests);
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("shell-") && key !== SHELL_CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
      .then(renewKit)
  );
});

self.addEventListener("message", (event) => {
  // Sent by her own page: keep its other languages too, so she can switch offline.
  if (event.data && Array.isArray(event.data.keep)) {
    const shown = event.source && event.source.url ? new URL(event.source.url).pathname : null;
    event.waitUntil(keepPages(event.data.keep, shown));
  }
  // Sent by the first staff page after a login: keep every page of her role, with what they load.
  if (event.data && event.data.kit) event.waitUntil(keepKitOnce().then(() => tell(event.source, "kit-kept")));
});

function tell(client, message) {
  if (client) client.postMessage(message);
}

// The pages a staff login uses offline, in every language, and every file they load: kept at login,
// so the stairwell works without having opened each page first, and renewed when a new version comes.
async function keepKit() {
  const answer = await fetch(KIT_URL, { credentials: "same-origin", cache: "no-store" });
  if (!answer.ok) return;
  const kit = await answer.json();
  const pages = await caches.open(PAGE_CACHE);
  const files = new Set(kit.files);
  await Promise.all(kit.pages.map(async (path) => {
    // Not following a redirect: a login that ended meanwhile must not fetch the login page 24 times
    // (each would start a session, racing the cookie of whoever is logging in on this phone now).
    const response = await fetch(path, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: KEEPING });
    if (!response.ok || response.headers.get(OFFLINE_HEADER) !== "1") return;
    filesNamedIn(await response.clone().text()).forEach((file) => files.add(file));
    await pages.put(path, response);
  }));
  const shell = await caches.open(SHELL_CACHE);
  await Promise.all([...files].map(async (file) => {
    if (await shell.match(file)) return;
    const response = await fetch(file, { credentials: "omit" });
    if (response.ok) await shell.put(file, response);
  }));
  await pages.put(KIT_MARK, new Response("1"));
}

function filesNamedIn(html) {
  return [...html.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, "&"));
}

// Pages opened while the kit is being kept ask for it too: one keeping at a time.
let keeping = null;

function keepKitOnce() {
  keeping = keeping || keepKit().finally(() => { keeping = null; });
  return keeping;
}

async function renewKit() {
  const pages = await caches.open(PAGE_CACHE);
  if (!(await pages.match(KIT_MARK))) return;
  try {
    await keepKitOnce();
  } catch (error) {
    // Offline during the update: the pages kept before still work with the files any version kept.
  }
}

// A page's other languages, kept this recently, are not fetched again on every visit (her phone's data).
const KEEP_FRESH_MS = 6 * 3600 * 1000;
const KEPT_AT = "X-Kept-At";
const FIRST_VISIT = "X-First-Visit"; // on a page kept for the first time as it came: her first visit

async function keepPages(paths, shown) {
  if (shown) await keepOfflinePageFor(shown);
  const cache = await caches.open(PAGE_CACHE);
  const shownCopy = shown ? await cache.match(shown) : null;
  // Her first visit (the page she sees not kept before it): only that page; the others from her next visit.
  if (shown && (!shownCopy || shownCopy.headers.get(FIRST_VISIT) === "1")) paths = paths.filter((path) => path === shown);
  await Promise.all(paths.filter((path) => LANGUAGE_IN_PATH.test(path)).map(async (path) => {
    const kept = await cache.match(path);
    // The page she is looking at was kept as it came through here: not fetched again.
    // The phone's own clock, both times: a phone set to another day still counts hours right.
    if (kept && (path === shown || Date.now() - Number(kept.headers.get(KEPT_AT)) < KEEP_FRESH_MS)) return;
    try {
      // Not following a redirect to the login page: each would start a session, racing a login under way.
      const response = await fetch(path, { credentials: "same-origin", redirect: "manual", headers: KEEPING });
      if (response.ok && response.headers.get(OFFLINE_HEADER) === "1") {
        const headers = new Headers(response.headers);
        headers.set(KEPT_AT, String(Date.now()));
        await cache.put(path, new Response(await response.blob(), { status: response.status, headers }));
      }
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
    const fromNetwork = pageFromNetwork(request, url);
    event.waitUntil(fromNetwork.catch(() => null)); // a late answer still refreshes the kept page
    event.respondWith(pageFromNetworkOrPhone(fromNetwork, url));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(fileFromPhoneOrNetwork(request));
  }
});

// A kept page answers when the network has not within this time; the network's answer still refreshes it.
const PATIENCE_MS = 2000;

async function pageFromNetworkOrPhone(fromNetwork, url) {
  const kept = await caches.match(url.pathname, { ignoreSearch: true });
  if (!kept) return fromNetwork.catch(() => offlinePage(url));
  // A stalled connection (not cut) must not leave her looking at a white page for 15 s.
  const late = new Promise((resolve) => setTimeout(() => resolve(null), PATIENCE_MS));
  const answer = await Promise.race([fromNetwork.catch(() => kept), late]);
  return answer || kept;
}

async function pageFromNetwork(request, url) {
  const response = await fetch(request);
  if (response.redirected && new URL(response.url).pathname.endsWith("/login")) {
    await caches.delete(PAGE_CACHE); // logged out or expired: forget what the last user saw
  }
  if (response.ok && response.headers.get(OFFLINE_HEADER) === "1") {
    const cache = await caches.open(PAGE_CACHE);
    if (await cache.match(url.pathname)) {
      await cache.put(url.pathname, response.clone());
    } else {
      const headers = new Headers(response.headers);
      headers.set(FIRST_VISIT, "1");
      await cache.put(url.pathname, new Response(await response.clone().blob(), { status: response.status, headers }));
    }
  } else if (response.status === 410) {
    await forgetInEveryLanguage(url.pathname); // her link was stopped: no copy stays, in any language
  }
  return response;
}

// "No connection" in the language of a page kept: the install may not have known her language (it ran
// while the page that registered the worker was still on its way).
async function keepOfflinePageFor(path) {
  const match = path.match(LANGUAGE_IN_PATH);
  const offline = "/" + (match ? match[1] : "da") + "/offline";
  if (await caches.match(offline)) return;
  try {
    const shell = await caches.open(SHELL_CACHE);
    await shell.add(new Request(offline, { credentials: "omit" }));
  } catch (error) {
    // Offline now: another kept language answers meanwhile.
  }
}

async function offlinePage(url) {
  const match = url.pathname.match(LANGUAGE_IN_PATH);
  const wanted = "/" + (match ? match[1] : "da") + "/offline";
  for (const path of [wanted, ...OFFLINE_PAGES]) {
    const offline = await caches.match(path); // hers if kept, else any language kept
    if (offline) return offline;
  }
  return Response.error();
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
