// The sign-up form on the phone: each sign-up is saved in the outbox (outbox.js) and sent from there;
// one the server refused comes back into the form to be corrected. Loaded only with the form.
(function () {
  "use strict";
  var form = document.querySelector("[data-outbox-form]");
  if (!form || !window.outbox) return; // without the outbox the form is sent to the server as it is

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

  // ---- Messages on the form ------------------------------------------------------

  // The server's rule (validation.e164_phone) in short: a Danish number has 8 digits and does not start
  // with 0 or 1; another country's starts with + (or 00) and its code. Caught here, while she is at the door;
  // the server still checks what this lets through (a country code that does not exist).
  function phoneCanBeRight(text) {
    var compact = text.replace(/[\s().\-\/]/g, "").replace(/^00/, "+");
    if (compact.indexOf("+45") === 0) compact = compact.slice(3);
    else if (compact.charAt(0) === "+") return /^\+[1-9]\d{6,14}$/.test(compact);
    return /^[2-9]\d{7}$/.test(compact);
  }

  function missingRequired(form) {
    var missing = [];
    form.querySelectorAll("[data-required-message]").forEach(function (input) {
      var empty = input.type === "checkbox" ? !input.checked : input.value.trim() === "";
      var wrong = !empty && input.dataset.invalidMessage && !phoneCanBeRight(input.value.trim());
      showError(input, empty ? input.dataset.requiredMessage : wrong ? input.dataset.invalidMessage : "");
      if (empty || wrong) missing.push(input);
    });
    return missing;
  }

  function showError(input, message) {
    var field = input.closest(".field");
    var errorId = input.name + "-error";
    var error = document.getElementById(errorId);
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
      error.id = errorId;
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

  // ---- Saving --------------------------------------------------------------------

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
    var item = {
      id: form.dataset.editingId || form.dataset.itemId,
      kind: "signup",
      recorded_at: form.dataset.editingRecordedAt || new Date().toISOString(),
      data: signupData(form)
    };
    window.outbox.save(item, form.dataset.replacesId).then(function () {
      clearEditing();
      form.reset();
      sessionStorage.removeItem("signup-draft");
      announce(form.dataset.messageSaved, "success");
      form.elements.first_name.focus();
      return window.outbox.render();
    }).then(window.outbox.replay, function () {
      announce(form.dataset.messageNotSaved, "error");
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

  // ---- Correcting an item the server refused ---------------------------------------

  function editItem(item) {
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

  // ---- Her language ----------------------------------------------------------------

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

  // ---- Start -------------------------------------------------------------------

  prepareNotice();
  clearEditing();
  form.addEventListener("submit", saveForm);
  document.addEventListener("outbox:edit", function (event) { editItem(event.detail.item); });
  keepDraftWhenSwitchingLanguage();
  keepOtherLanguagesOnPhone();
})();
