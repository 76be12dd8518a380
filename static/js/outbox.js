// The phone's outbox: sign-ups (and later check-ins) wait in IndexedDB until the server has them.
// The server is idempotent; an item leaves the phone only on "ok" or "duplicate".
(function () {
  "use strict";
  if (!("indexedDB" in window) || !window.fetch || !window.crypto || !crypto.randomUUID) return;

  var DB_NAME = "outbox";
  var STORE = "items";
  var MAX_BATCH = 1000;
  var RETRY_SECONDS = 5;
  var textNode = document.getElementById("outbox-text");
  var TEXT = textNode ? JSON.parse(textNode.textContent) : {};
  var box = document.querySelector("[data-outbox]");
  var replaying = null;

  function say(key, n) {
    return (TEXT[key] || "").replace("{n}", String(n));
  }

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
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function allItems() {
    return withStore("readonly", function (store) { return store.getAll(); });
  }

  function putItem(item) {
    return withStore("readwrite", function (store) { store.put(item); });
  }

  function deleteItem(id) {
    return withStore("readwrite", function (store) { store.delete(id); });
  }

  // ---- What the page shows -------------------------------------------------

  function render() {
    return allItems().then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; });
      var attention = items.filter(function (item) { return item.state === "attention"; });
      if (box) {
        box.hidden = false;
        box.dataset.waiting = String(waiting.length);
        var status = box.querySelector("[data-outbox-status]");
        var parts = [waiting.length ? say("waiting", waiting.length) : say("all_sent")];
        if (attention.length) parts.push(say("attention", attention.length));
        status.textContent = parts.join(" · ");
      }
      renderAttention(attention);
      renderOnPhone(items);
      return items;
    });
  }

  function renderAttention(items) {
    var section = document.querySelector("[data-outbox-attention]");
    if (!section) return;
    var list = section.querySelector("[data-outbox-attention-list]");
    list.textContent = "";
    section.hidden = items.length === 0;
    items.forEach(function (item) {
      var card = document.createElement("li");
      card.className = "card";
      card.dataset.itemId = item.id;
      var name = document.createElement("p");
      name.className = "when";
      name.textContent = (item.data && item.data.first_name) || say("unnamed");
      name.dir = "auto";
      card.appendChild(name);
      Object.keys(item.errors || {}).forEach(function (field) {
        var error = document.createElement("p");
        error.className = "error";
        error.textContent = item.errors[field];
        card.appendChild(error);
      });
      card.appendChild(button(say("edit"), "button small", function () { editItem(item); }));
      card.appendChild(button(say("delete"), "button small secondary", function () {
        if (window.confirm(say("confirm_delete"))) deleteItem(item.id).then(render);
      }));
      list.appendChild(card);
    });
  }

  function renderOnPhone(items) {
    var section = document.querySelector("[data-outbox-on-phone]");
    if (!section) return;
    var list = section.querySelector("[data-outbox-on-phone-list]");
    list.textContent = "";
    section.hidden = items.length === 0;
    items.forEach(function (item) {
      var card = document.createElement("li");
      card.className = "card";
      var name = document.createElement("p");
      name.className = "when";
      name.dir = "auto";
      name.textContent = (item.data && item.data.first_name) || say("unnamed");
      var state = document.createElement("p");
      state.className = item.state === "attention" ? "error" : "muted";
      state.textContent = item.state === "attention" ? say("attention", 1) : say("waiting", 1);
      card.appendChild(name);
      card.appendChild(state);
      list.appendChild(card);
    });
  }

  function button(label, className, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  // ---- The sign-up form ----------------------------------------------------

  var form = document.querySelector("[data-outbox-form]");

  function signupData(form) {
    var fields = form.elements;
    var checked = function (name) {
      return Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'), function (input) {
        return input.checked;
      }).map(function (input) { return input.value; });
    };
    var number = function (value) { return value === "" ? null : (/^\d+$/.test(value) ? Number(value) : value); };
    var subgroup = checked("subgroup");
    var childcare = checked("childcare");
    var consent = checked("consent_text_id");
    return {
      first_name: fields.first_name.value.trim(),
      phone: fields.phone.value.trim(),
      language: document.documentElement.lang,
      estate_id: number(fields.estate_id.value),
      year_of_birth: number(fields.year_of_birth.value.trim()),
      subgroup: subgroup.length ? subgroup[0] : "",
      interests: checked("interests"),
      availability: checked("availability"),
      childcare: childcare[0] === "1",
      channel: fields.channel.value,
      campaign_id: number(fields.campaign_id.value),
      consent_text_id: consent.length ? number(consent[0]) : null,
      card_code: fields.card_code ? fields.card_code.value.trim() : ""
    };
  }

  function missingRequired(form) {
    var missing = [];
    form.querySelectorAll("[data-required-message]").forEach(function (input) {
      var empty = input.type === "checkbox" ? !input.checked : input.value.trim() === "";
      showError(input, empty ? input.dataset.requiredMessage : "");
      if (empty) missing.push(input);
    });
    return missing;
  }

  function showError(input, message) {
    var field = input.closest(".field");
    var id = input.name + "-error";
    var error = document.getElementById(id);
    if (!message) {
      if (error) error.remove();
      field.classList.remove("has-error");
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "error";
      error.id = id;
      field.appendChild(error);
    }
    error.textContent = message;
    field.classList.add("has-error");
    input.setAttribute("aria-invalid", "true");
  }

  function saveForm(event) {
    event.preventDefault();
    var missing = missingRequired(form);
    if (missing.length) {
      missing[0].focus();
      return;
    }
    var editing = form.dataset.editingId;
    var item = {
      id: editing || crypto.randomUUID(),
      kind: "signup",
      recorded_at: form.dataset.editingRecordedAt || new Date().toISOString(),
      data: signupData(form),
      state: "waiting",
      errors: {}
    };
    var replaces = form.dataset.replacesId;
    putItem(item).then(function () {
      return replaces && replaces !== item.id ? deleteItem(replaces) : null;
    }).then(function () {
      delete form.dataset.replacesId;
      delete form.dataset.editingId;
      delete form.dataset.editingRecordedAt;
      form.reset();
      sessionStorage.removeItem("signup-draft");
      announce(form.dataset.messageSaved);
      form.elements.first_name.focus();
      return render();
    }).then(replay);
  }

  function announce(message) {
    var notice = document.querySelector("[data-outbox-saved]");
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "notice success";
      notice.setAttribute("role", "status");
      notice.dataset.outboxSaved = "1";
      form.parentNode.insertBefore(notice, form);
    }
    notice.textContent = message;
  }

  function editItem(item) {
    if (!form) return;
    fillForm(item.data);
    // An invalid item was never stored: it keeps its id. A conflicting one must go as a new item.
    if (item.reason !== "same_id_other_content") {
      form.dataset.editingId = item.id;
      form.dataset.editingRecordedAt = item.recorded_at;
    }
    Object.keys(item.errors || {}).forEach(function (field) {
      var input = form.elements[field];
      if (input && input.closest) showError(input, item.errors[field]);
      else if (input && input[0]) showError(input[0], item.errors[field]);
    });
    form.dataset.replacesId = item.id; // stays on the phone until the corrected one is saved
    form.scrollIntoView();
  }

  function fillForm(data) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "hidden") return;
      var value = data[input.name];
      if (input.type === "checkbox" || input.type === "radio") {
        var values = Array.isArray(value) ? value.map(String) : [String(value === true ? 1 : value === false ? 0 : value)];
        input.checked = values.indexOf(input.value) !== -1;
      } else if (value !== undefined && value !== null) {
        input.value = value;
      }
    });
  }

  // Switching to her language keeps what was typed (the other language's page is on the phone too).
  function keepDraftWhenSwitchingLanguage() {
    document.querySelectorAll("[data-keep-form]").forEach(function (link) {
      link.addEventListener("click", function () {
        sessionStorage.setItem("signup-draft", JSON.stringify(signupData(form)));
      });
    });
    var draft = sessionStorage.getItem("signup-draft");
    if (draft) {
      sessionStorage.removeItem("signup-draft");
      fillForm(JSON.parse(draft));
    }
  }

  function keepOtherLanguagesOnPhone() {
    if (!navigator.serviceWorker) return;
    var urls = Array.prototype.map.call(document.querySelectorAll("[data-keep-form]"), function (link) {
      return new URL(link.href).pathname;
    });
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ keep: urls });
    });
  }

  // ---- Sending ---------------------------------------------------------------

  function replay() {
    if (!replaying) {
      replaying = sendWaiting().finally(function () { replaying = null; });
    }
    return replaying;
  }

  function sendWaiting() {
    return allItems().then(function (items) {
      var waiting = items.filter(function (item) { return item.state === "waiting"; });
      if (!waiting.length) return render();
      return freshToken().then(function (token) {
        if (!token) return render();
        return sendBatch(waiting.slice(0, MAX_BATCH), token);
      });
    }).catch(function () {
      return render(); // offline or the server is away: everything stays on the phone
    });
  }

  function freshToken() {
    return fetch("/api/v1/csrf", { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      showLoginLink(response.status === 401);
      return response.ok ? response.json().then(function (body) { return body.csrf_token; }) : null;
    });
  }

  function showLoginLink(show) {
    var link = box && box.querySelector("[data-outbox-login]");
    if (link) link.hidden = !show;
  }

  function sendBatch(batch, token) {
    var body = JSON.stringify({
      items: batch.map(function (item) {
        return { id: item.id, kind: item.kind, recorded_at: item.recorded_at, data: item.data };
      })
    });
    return fetch("/api/v1/outbox", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: body
    }).then(function (response) {
      showLoginLink(response.status === 401);
      if (!response.ok) return render();
      return response.json().then(function (answer) { return applyResults(batch, answer.results); })
        .then(function () { return batch.length === MAX_BATCH ? sendWaiting() : render(); });
    });
  }

  function applyResults(batch, results) {
    var byId = {};
    batch.forEach(function (item) { byId[item.id] = item; });
    return withStore("readwrite", function (store) {
      (results || []).forEach(function (result) {
        var item = byId[result.id];
        if (!item) return;
        if (result.status === "ok" || result.status === "duplicate") {
          store.delete(item.id);
        } else {
          item.state = "attention";
          item.reason = result.reason;
          item.errors = result.errors && Object.keys(result.errors).length ? result.errors : { item: result.reason };
          store.put(item);
        }
      });
    });
  }

  // ---- Logging out -------------------------------------------------------------

  function guardLogout() {
    var logout = document.querySelector("form.logout");
    if (!logout) return;
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.confirmed) return;
      event.preventDefault();
      allItems().then(function (items) {
        if (items.length && !window.confirm(say("confirm_logout", items.length))) return;
        indexedDB.deleteDatabase(DB_NAME);
        logout.dataset.confirmed = "1";
        logout.submit();
      });
    });
  }

  // ---- Start -------------------------------------------------------------------

  if (form) {
    form.addEventListener("submit", saveForm);
    keepDraftWhenSwitchingLanguage();
    keepOtherLanguagesOnPhone();
  }
  if (box) box.querySelector("[data-outbox-send]").addEventListener("click", replay);
  guardLogout();
  window.addEventListener("online", replay);
  // Phones often regain a network without an "online" event (weak signal, a page opened offline):
  // while something waits, try again every few seconds; a failed try costs one small request.
  setInterval(function () {
    if (box && box.dataset.waiting !== "0" && navigator.onLine !== false) replay();
  }, RETRY_SECONDS * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") replay();
  });
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
  window.outbox = { replay: replay, items: allItems, render: render }; // for tests and the console
  render().then(replay);
})();
