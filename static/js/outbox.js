// The phone's outbox: sign-ups and check-ins wait in IndexedDB until the server has them.
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
  var ME = box ? box.dataset.user : "";

  function mine(item) {
    return !item.owner || item.owner === ME;
  }

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
        transaction.onabort = function () { db.close(); reject(transaction.error || new Error("aborted")); };
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

  var shown = null;

  function render() {
    return allItems().then(function (items) {
      // Rebuild only when something changed: screen readers would repeat it, and focus would be lost.
      var signature = JSON.stringify(items.map(function (item) { return [item.id, item.state, item.reason]; }));
      if (signature === shown) return items;
      shown = signature;
      var waiting = items.filter(function (item) { return mine(item) && item.state === "waiting"; });
      var attention = items.filter(function (item) { return mine(item) && item.state === "attention"; });
      var others = items.filter(function (item) { return !mine(item); });
      if (box) {
        box.hidden = false;
        box.dataset.waiting = String(waiting.length);
        var status = box.querySelector("[data-outbox-status]");
        var parts = [waiting.length ? say("waiting", waiting.length) : say("all_sent")];
        if (attention.length) parts.push(say("attention", attention.length));
        if (others.length) parts.push(say("others", others.length));
        status.textContent = parts.join(" · ");
      }
      renderAttention(attention);
      renderOnPhone(items.filter(mine));
      return items;
    });
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
      if (item.kind === "signup" && item.reason !== "erased") {
        card.appendChild(button(say("edit"), "button small", nameId, function () { editItem(item); }));
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
    if (item.reason === "same_id_other_content") return [say("reason_conflict")];
    if (item.reason === "erased") return [say("reason_erased")];
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
    var errorId = input.name + "-error";
    var id = errorId;
    var error = document.getElementById(id);
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== errorId;
    });
    if (!message) {
      if (error) error.remove();
      field.classList.remove("has-error");
      input.removeAttribute("aria-invalid");
      setDescribedBy(input, described);
      return;
    }
    setDescribedBy(input, described.concat([errorId]));
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

  function setDescribedBy(input, ids) {
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  var saving = false;

  function saveForm(event) {
    event.preventDefault();
    if (saving) return; // a second tap while the first is being saved
    var missing = missingRequired(form);
    if (missing.length) {
      missing[0].focus();
      return;
    }
    saving = true;
    var submit = form.querySelector("[type=submit]");
    submit.disabled = true;
    var editing = form.dataset.editingId;
    var item = {
      id: editing || form.dataset.itemId,
      kind: "signup",
      recorded_at: form.dataset.editingRecordedAt || new Date().toISOString(),
      data: signupData(form),
      owner: ME,
      state: "waiting",
      errors: {}
    };
    var replaces = form.dataset.replacesId;
    putItem(item).then(function () {
      return replaces && replaces !== item.id ? deleteItem(replaces) : null;
    }).then(function () {
      clearEditing();
      form.reset();
      sessionStorage.removeItem("signup-draft");
      announce(form.dataset.messageSaved, "success");
      form.elements.first_name.focus();
      return render();
    }).then(replay, function () {
      announce(say("not_saved"), "error");
    }).finally(function () {
      saving = false;
      submit.disabled = false;
    });
  }

  // Each opened form is one sign-up: saving it twice writes the same item, never a second woman.
  function clearEditing() {
    delete form.dataset.replacesId;
    delete form.dataset.editingId;
    delete form.dataset.editingRecordedAt;
    form.dataset.itemId = crypto.randomUUID();
  }

  function announce(message, kind) {
    var notice = document.querySelector("[data-outbox-saved]");
    notice.className = "notice " + kind;
    notice.hidden = false;
    notice.textContent = message;
  }

  function prepareNotice() {
    // The live region exists before its first message, so screen readers announce it.
    var notice = document.createElement("p");
    notice.setAttribute("role", "status");
    notice.dataset.outboxSaved = "1";
    notice.hidden = true;
    form.parentNode.insertBefore(notice, form);
  }

  function editItem(item) {
    if (!form) return;
    var editing = { replacesId: item.id };
    // An invalid item was never stored: it keeps its id. A conflicting one must go as a new item.
    if (item.reason !== "same_id_other_content") {
      editing.editingId = item.id;
      editing.editingRecordedAt = item.recorded_at;
    }
    if (item.data && item.data.language && item.data.language !== document.documentElement.lang) {
      // Her language, her consent text: correct it on the form in her language.
      sessionStorage.setItem("signup-draft", JSON.stringify({ data: item.data, editing: editing, errors: item.errors }));
      window.location.href = "/" + item.data.language + "/signup";
      return;
    }
    startEditing(item.data, editing, item.errors);
  }

  function startEditing(data, editing, errors) {
    clearEditing();
    form.reset();
    fillForm(data);
    Object.keys(editing).forEach(function (key) { form.dataset[key] = editing[key]; });
    var first = null;
    Object.keys(errors || {}).forEach(function (field) {
      var input = form.elements[field];
      if (input && !input.closest && input[0]) input = input[0];
      if (input && input.closest) {
        showError(input, errors[field]);
        first = first || input;
      }
    });
    (first || form.elements.first_name).focus();
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
        var editing = {};
        ["replacesId", "editingId", "editingRecordedAt", "itemId"].forEach(function (key) {
          if (form.dataset[key]) editing[key] = form.dataset[key];
        });
        sessionStorage.setItem("signup-draft", JSON.stringify({ data: signupData(form), editing: editing }));
      });
    });
    var draft = sessionStorage.getItem("signup-draft");
    if (draft) {
      sessionStorage.removeItem("signup-draft");
      draft = JSON.parse(draft);
      startEditing(draft.data || {}, draft.editing || {}, draft.errors);
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

  var again = false;

  function replay() {
    if (replaying) {
      again = true; // saved while a send was under way: send once more right after it
      return replaying;
    }
    replaying = sendWaiting().finally(function () {
      replaying = null;
      if (again) {
        again = false;
        replay();
      }
    });
    return replaying;
  }

  function sendWaiting() {
    return allItems().then(function (items) {
      // Only her own: a colleague's sign-ups left on a shared phone wait for that colleague's login.
      var waiting = items.filter(function (item) { return mine(item) && item.state === "waiting"; });
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
        .then(function (settled) { return batch.length === MAX_BATCH && settled ? sendWaiting() : render(); });
    });
  }

  function applyResults(batch, results) {
    var byId = {};
    var answered = [];
    batch.forEach(function (item) { byId[item.id] = item; });
    settled = 0;
    return withStore("readwrite", function (store) {
      (results || []).forEach(function (result) {
        var sent = byId[result.id];
        if (!sent) return;
        settled += 1;
        // Act on the item as it is now: if it was corrected while this answer travelled, leave it be.
        store.get(sent.id).onsuccess = function (event) {
          var current = event.target.result;
          if (!current || sameContent(current, sent) === false) return;
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
      return settled;
    });
  }

  function sameContent(a, b) {
    return a.recorded_at === b.recorded_at && JSON.stringify(a.data) === JSON.stringify(b.data);
  }

  var settled = 0;

  // ---- Logging out -------------------------------------------------------------

  function guardLogout() {
    var logout = document.querySelector("form.logout");
    if (!logout) return;
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.confirmed) return;
      event.preventDefault();
      allItems().catch(function () { return []; }).then(function (items) {
        if (items.length && !window.confirm(say("confirm_logout", items.length))) return;
        var request = indexedDB.deleteDatabase(DB_NAME);
        request.onsuccess = request.onerror = request.onblocked = function () {
          logout.dataset.confirmed = "1";
          logout.submit();
        };
      });
    });
  }

  // ---- Start -------------------------------------------------------------------

  if (form) {
    prepareNotice();
    clearEditing();
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
  // Other pages (the scanner) queue their items here: saved on the phone first, then sent.
  function add(item) {
    var stored = Object.assign({ recorded_at: new Date().toISOString() }, item, { owner: ME, state: "waiting", errors: {} });
    return putItem(stored).then(render).then(function () { replay(); return stored; });
  }

  window.outbox = { add: add, replay: replay, items: allItems, render: render };
  render().then(replay);
})();
