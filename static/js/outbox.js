// The phone's outbox: sign-ups and check-ins wait in IndexedDB until the server has them.
// The server is idempotent; an item leaves the phone only on "ok" or "duplicate".
// Pages queue their items through window.outbox: the sign-up form (signup-form.js) and the scanner.
(function () {
  "use strict";
  if (!("indexedDB" in window) || !window.fetch || !window.crypto || !crypto.randomUUID) return;

  var DB_NAME = "outbox";
  var STORE = "items";
  var MAX_BATCH = 1000;
  var RETRY_SECONDS = 5;
  var MAX_RETRY_SECONDS = 300;
  var FAILURES_BEFORE_TELLING = 3;
  var textNode = document.getElementById("outbox-text");
  var TEXT = textNode ? JSON.parse(textNode.textContent) : {};
  var box = document.querySelector("[data-outbox]");
  var ME = box ? box.dataset.user : "";
  var MY_NAME = (document.currentScript && document.currentScript.dataset.userName) || "";
  var LANG = document.documentElement.lang;

  function mine(item) {
    return !item.owner || item.owner === ME;
  }

  function fill(text, values) {
    // A function as replacement: a "$" in a username stays a "$".
    return (text || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function say(key, n) {
    return fill(TEXT[key], { n: n });
  }

  // The template gives one text per CLDR plural category ("one", "few"…), the number written "{n}".
  function count(key, n) {
    var category = window.Intl && Intl.PluralRules ? new Intl.PluralRules(LANG).select(n) : n === 1 ? "one" : "other";
    var forms = TEXT.plurals || {};
    return fill((forms[category] || forms.other || {})[key], { n: n });
  }

  // ---- The store ---------------------------------------------------------------

  function openDatabase() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDatabase().then(function (db) {
      return new Promise(function (resolve, reject) {
        // "strict": the write is on disk when it completes, so "Saved on this phone" survives a dead battery.
        var transaction = mode === "readwrite" ? db.transaction(STORE, mode, { durability: "strict" }) : db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
        transaction.onabort = function () { db.close(); reject(transaction.error || new Error("aborted")); };
      });
    });
  }

  function allItems() {
    return withStore("readonly", function (store) { return store.getAll(); });
  }

  function deleteItem(id) {
    return withStore("readwrite", function (store) { store.delete(id); });
  }

  // Saved with her login and username: a colleague's items wait for that colleague, and are named at logout.
  function save(item, replacesId) {
    var stored = Object.assign({ recorded_at: new Date().toISOString() }, item, {
      owner: ME, owner_name: MY_NAME, state: "waiting", errors: {}
    });
    return withStore("readwrite", function (store) {
      store.put(stored);
      if (replacesId && replacesId !== stored.id) store.delete(replacesId);
    }).then(function () { return stored; });
  }

  // Other pages (the scanner) queue their items here: saved on the phone first, then sent.
  function add(item) {
    return save(item).then(function (stored) {
      return render().then(function () { replay(); return stored; });
    });
  }

  // ---- What the page shows -------------------------------------------------

  var shown = null;
  var sentShownUntil = 0;
  var ALL_SENT_SECONDS = 5;
  var editable = Boolean(document.querySelector("[data-outbox-form]"));

  function render() {
    return allItems().then(function (items) {
      var own = items.filter(mine);
      showStatus(items, own);
      // Rebuild the lists only when something changed: screen readers would repeat them, and focus would be lost.
      var signature = JSON.stringify(items.map(function (item) { return [item.id, item.state, item.reason]; }));
      if (signature === shown) return items;
      shown = signature;
      renderAttention(own.filter(function (item) { return item.state === "attention"; }));
      renderOnPhone(own);
      return items;
    });
  }

  function showStatus(items, own) {
    if (!box) return;
    var waiting = own.filter(function (item) { return item.state === "waiting"; }).length;
    var attention = own.length - waiting;
    var others = items.length - own.length;
    // The bar (fixed at the bottom: it moves nothing) shows only while something waits or needs her,
    // and "Everything is sent" for a few seconds after the last item went.
    if (waiting || attention || others) {
      sentShownUntil = box.dataset.waiting && box.dataset.waiting !== "0" ? 0 : sentShownUntil;
      box.hidden = false;
    } else if (box.dataset.waiting && box.dataset.waiting !== "0") {
      sentShownUntil = Date.now() + ALL_SENT_SECONDS * 1000;
      box.hidden = false;
      setTimeout(render, ALL_SENT_SECONDS * 1000 + 50);
    } else {
      box.hidden = Date.now() >= sentShownUntil;
    }
    box.dataset.waiting = String(waiting);
    var parts = [waiting ? say("waiting", waiting) : say("all_sent")];
    if (waiting && failures >= FAILURES_BEFORE_TELLING) parts.push(failureMessage());
    if (attention) parts.push(say("attention", attention));
    if (others) parts.push(say("others", others));
    var status = box.querySelector("[data-outbox-status]");
    var text = parts.join(" · ");
    if (status.textContent !== text) status.textContent = text; // the same words are not announced again
  }

  function failureMessage() {
    return count("failed", failures) + " " + fill(TEXT.retry_at, { time: clockTime(retryAt) });
  }

  function clockTime(time) {
    var options = { hour: "numeric", minute: "2-digit", numberingSystem: "latn" }; // digits as the server writes them
    try {
      return new Date(time).toLocaleTimeString(LANG, options);
    } catch (error) {
      return new Date(time).toTimeString().slice(0, 5);
    }
  }

  // A list on the page, rebuilt from the items: one card each, with her name and what the card adds.
  function renderList(name, items, fillCard) {
    var section = document.querySelector("[data-" + name + "]");
    if (!section) return;
    var list = section.querySelector("[data-" + name + "-list]");
    list.textContent = "";
    section.hidden = items.length === 0;
    items.forEach(function (item) {
      var card = document.createElement("li");
      card.className = "card";
      var firstName = paragraph("when", item.label || (item.data && item.data.first_name) || say("unnamed"));
      firstName.dir = "auto";
      firstName.id = name + "-" + item.id;
      card.appendChild(firstName);
      fillCard(card, item, firstName.id);
      list.appendChild(card);
    });
  }

  function paragraph(className, text) {
    var element = document.createElement("p");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function renderAttention(items) {
    renderList("outbox-attention", items, function (card, item, nameId) {
      attentionMessages(item).forEach(function (message) { card.appendChild(paragraph("error", message)); });
      if (editable && item.kind === "signup" && item.reason !== "erased") {
        card.appendChild(button(say("edit"), "button small", nameId, function () {
          document.dispatchEvent(new CustomEvent("outbox:edit", { detail: { item: item } })); // signup-form.js
        }));
      }
      card.appendChild(button(say("delete"), "button small secondary", nameId, function () {
        if (window.confirm(say("confirm_delete"))) deleteItem(item.id).then(render);
      }));
    });
  }

  function renderOnPhone(items) {
    renderList("outbox-on-phone", items, function (card, item) {
      var attention = item.state === "attention";
      card.appendChild(paragraph(attention ? "error" : "muted", attention ? say("attention", 1) : say("waiting", 1)));
    });
  }

  function attentionMessages(item) {
    var contact = item.kind === "contact";
    if (item.reason === "same_id_other_content") return [say(contact ? "reason_conflict_contact" : "reason_conflict")];
    if (item.reason === "erased") return [say(contact ? "reason_erased_contact" : "reason_erased")];
    return Object.keys(item.errors || {}).map(function (field) { return item.errors[field]; });
  }

  function button(label, className, describedBy, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.setAttribute("aria-describedby", describedBy);
    element.addEventListener("click", onClick);
    return element;
  }

  // ---- Sending ---------------------------------------------------------------

  var replaying = null;
  var again = false;
  var token = null; // this login's CSRF token, kept for the page's life: a send is one request
  var failures = 0; // tries in a row that failed for another reason than a lost login
  var retryAt = 0;
  var timer = null;

  function replay() {
    if (replaying) {
      again = true; // saved while a send was under way: send once more right after it
      return replaying;
    }
    clearTimeout(timer);
    if (box) box.dataset.sending = "1"; // until this send is answered and the next try planned (tests wait on it)
    replaying = sendWaiting().finally(function () {
      replaying = null;
      if (box) box.dataset.sending = again ? "1" : "0";
      if (again) {
        again = false;
        replay();
      } else {
        planNextTry();
      }
    });
    return replaying;
  }

  // Phones often regain a network without an "online" event (weak signal, a page opened offline):
  // while something waits, try again in a few seconds, and less often each time the server is away.
  function planNextTry() {
    clearTimeout(timer);
    if (!box || box.dataset.waiting === "0") return;
    var delay = failures ? Math.max(retryAt - Date.now(), 0) : RETRY_SECONDS * 1000;
    timer = setTimeout(tryAgain, delay);
  }

  function tryAgain() {
    if (navigator.onLine !== false) {
      replay();
    } else {
      timer = setTimeout(tryAgain, RETRY_SECONDS * 1000); // no network: the "online" event will come first
    }
  }

  function failed() {
    failures += 1;
    retryAt = Date.now() + Math.min(RETRY_SECONDS * Math.pow(2, failures - 1), MAX_RETRY_SECONDS) * 1000;
  }

  function sendWaiting() {
    return nextBatch().then(function (batch) {
      return batch.length ? sendBatch(batch, true) : null;
    }).catch(failed).then(render);
  }

  // Only her own: a colleague's items left on a shared phone wait for that colleague's login.
  function nextBatch() {
    return allItems().then(function (items) {
      return items.filter(function (item) { return mine(item) && item.state === "waiting"; }).slice(0, MAX_BATCH);
    });
  }

  function sendBatch(batch, mayRenewToken) {
    return currentToken().then(function (csrf) {
      if (!csrf) return null; // waiting for a new login
      return post(batch, csrf).then(function (response) {
        if (response.ok) return delivered(batch, response);
        if (response.status === 401) return loginLost();
        return tokenRefused(response).then(function (refused) {
          if (!refused || !mayRenewToken) throw new Error("not sent: " + response.status);
          token = null; // belonged to an older login: fetch this one's and send again at once
          return sendBatch(batch, false);
        });
      });
    });
  }

  function currentToken() {
    if (token) return Promise.resolve(token);
    return fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (response.status === 401) return loginLost();
      if (!response.ok) throw new Error("no token: " + response.status);
      return response.json().then(function (body) {
        token = body.csrf_token;
        return token;
      });
    });
  }

  function loginLost() {
    token = null;
    failures = 0; // not a failure: the items wait for her login, and the page asks for it
    showLoginLink(true);
    return null;
  }

  function showLoginLink(show) {
    var link = box && box.querySelector("[data-outbox-login]");
    if (link) link.hidden = !show;
  }

  function post(batch, csrf) {
    var body = JSON.stringify({
      items: batch.map(function (item) {
        return { id: item.id, kind: item.kind, recorded_at: item.recorded_at, data: item.data };
      })
    });
    return fetch("/api/v1/outbox", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body
    });
  }

  function tokenRefused(response) {
    if (response.status !== 400) return Promise.resolve(false);
    return response.json().then(function (answer) { return answer.error === "csrf"; }, function () { return false; });
  }

  function delivered(batch, response) {
    showLoginLink(false);
    return response.json().then(function (answer) {
      return applyResults(batch, answer.results);
    }).then(function (settled) {
      failures = 0;
      if (batch.length < MAX_BATCH || !settled) return null;
      return nextBatch().then(function (more) { return more.length ? sendBatch(more, true) : null; });
    });
  }

  function applyResults(batch, results) {
    var byId = {};
    var answered = [];
    var settled = 0;
    batch.forEach(function (item) { byId[item.id] = item; });
    return withStore("readwrite", function (store) {
      (results || []).forEach(function (result) {
        var sent = byId[result.id];
        if (!sent) return;
        settled += 1;
        // Act on the item as it is now: if it was corrected while this answer travelled, leave it be.
        store.get(sent.id).onsuccess = function (event) {
          var current = event.target.result;
          if (!current || !sameContent(current, sent)) return;
          answered.push({ item: sent, result: result });
          if (result.status === "ok" || result.status === "duplicate") {
            store.delete(sent.id);
          } else {
            current.state = "attention";
            current.reason = result.reason;
            current.errors = result.errors && Object.keys(result.errors).length ? result.errors : {};
            store.put(current);
          }
        };
      });
    }).then(function () {
      // Tell the page (the scanner shows each answer as it comes).
      answered.forEach(function (answer) {
        document.dispatchEvent(new CustomEvent("outbox:result", { detail: answer }));
      });
      if (answered.length) refreshReceived();
      return settled;
    });
  }

  function sameContent(a, b) {
    return a.recorded_at === b.recorded_at && JSON.stringify(a.data) === JSON.stringify(b.data);
  }

  // A part of the page that lists what the server has received ("My sign-ups") is fetched again once
  // something was delivered, so it does not say "None yet" until a reload.
  function refreshReceived() {
    var part = document.querySelector("[data-outbox-received]");
    if (!part) return;
    fetch(location.pathname, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error("page " + response.status);
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-outbox-received]");
      if (fresh) part.replaceChildren.apply(part, Array.from(fresh.childNodes));
    }).catch(function () { /* offline again: the list catches up on the next visit */ });
  }

  // ---- Logging out -------------------------------------------------------------

  function guardLogout() {
    var logout = document.querySelector("form.logout");
    if (!logout) return;
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.confirmed) return;
      event.preventDefault();
      allItems().catch(function () { return []; }).then(function (items) {
        if (items.length && !window.confirm(logoutQuestion(items))) return;
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () {
          logout.dataset.confirmed = "1";
          logout.submit();
        };
      });
    });
  }

  // Whose and what, before anything is deleted: a colleague's work is gone for good once she confirms.
  function logoutQuestion(items) {
    var own = items.filter(mine);
    var lines = own.length ? [fill(TEXT.logout_own, { what: whatWaits(own) })] : [];
    byColleague(items.filter(function (item) { return !mine(item); })).forEach(function (colleague) {
      var values = { name: colleague.name, what: whatWaits(colleague.items) };
      lines.push(fill(colleague.name ? TEXT.logout_colleague : TEXT.logout_unknown, values));
    });
    lines.push(say("logout_question"));
    return lines.join("\n");
  }

  function byColleague(items) {
    var groups = {};
    var order = [];
    items.forEach(function (item) {
      if (!groups[item.owner]) {
        groups[item.owner] = { name: "", items: [] };
        order.push(item.owner);
      }
      groups[item.owner].name = groups[item.owner].name || item.owner_name || ""; // older items have no name
      groups[item.owner].items.push(item);
    });
    return order.map(function (owner) { return groups[owner]; });
  }

  function whatWaits(items) {
    var kinds = { signups: 0, checkins: 0, contacts: 0 };
    items.forEach(function (item) {
      kinds[item.kind === "signup" ? "signups" : item.kind === "contact" ? "contacts" : "checkins"] += 1;
    });
    var parts = [];
    ["signups", "checkins", "contacts"].forEach(function (kind) {
      if (kinds[kind]) parts.push(count(kind, kinds[kind]));
    });
    return window.Intl && Intl.ListFormat ? new Intl.ListFormat(LANG, { type: "conjunction" }).format(parts) : parts.join(", ");
  }

  // ---- The check-in list -----------------------------------------------------------
  // First names and card hashes of her sessions of the next days, kept for the scanner. Fetched on any
  // page of a login that checks women in, so the scanner works offline even if it was never opened.

  var ROSTER_KEY = "roster:" + ME; // each login's own list
  var ROSTER_FRESH_MINUTES = 15;

  function keptRoster() {
    try {
      return JSON.parse(localStorage.getItem(ROSTER_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function fetchRoster() {
    return fetch(box.dataset.roster, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error("roster " + response.status);
      return response.json();
    }).then(function (body) {
      body.fetched_at = new Date().toISOString();
      try {
        localStorage.setItem(ROSTER_KEY, JSON.stringify(body));
      } catch (error) { /* storage full or off: the scanner asks the server */ }
      return body;
    });
  }

  function keepRosterFresh() {
    if (!box || !box.dataset.roster) return;
    var kept = keptRoster();
    if (kept && Date.now() - new Date(kept.fetched_at).getTime() < ROSTER_FRESH_MINUTES * 60000) return;
    fetchRoster().catch(function () { /* offline: the kept list stays */ });
  }

  // ---- Start -------------------------------------------------------------------

  if (box) box.querySelector("[data-outbox-send]").addEventListener("click", replay);
  guardLogout();
  window.addEventListener("online", function () {
    failures = 0; // a new network: the server may well be back
    replay();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") replay();
  });
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist();

  window.outbox = {
    add: add, save: save, replay: replay, items: allItems, render: render, remove: deleteItem,
    roster: { kept: keptRoster, fetch: fetchRoster }
  };
  render().then(replay);
  if (!document.querySelector("[data-scanner]")) keepRosterFresh(); // the scanner fetches its own at once
})();
