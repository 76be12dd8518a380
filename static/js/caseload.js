// "My women": a contact in two taps (open, then how), saved on the phone first and sent by the outbox, so it
// works in a stairwell without a connection. Without the outbox the form is sent to the server as it is.
(function () {
  "use strict";
  var textNode = document.getElementById("caseload-text");
  if (!textNode || !window.outbox || !window.crypto || !crypto.randomUUID) return;
  var TEXT = JSON.parse(textNode.textContent);
  var NOTE_MAX = 500;

  function localInputToIso(value) {
    // "2027-01-12T14:30" is the phone's local time: Date reads it so, and toISOString writes it in UTC.
    var moment = new Date(value);
    return isNaN(moment.getTime()) ? null : moment.toISOString();
  }

  function showError(form, name, message) {
    var input = form.querySelector('[name="' + name + '"]');
    if (!input) return;
    var field = input.closest(".field");
    var id = input.id + "-error";
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
    input.closest("details").open = true;
    input.focus();
  }

  function contactFrom(form, kind) {
    var when = form.elements.when.value;
    var note = form.elements.note.value.trim();
    var contactedAt = when ? localInputToIso(when) : new Date().toISOString();
    var later = contactedAt && new Date(contactedAt).getTime() > Date.now() + 5 * 60000;
    showError(form, "when", !contactedAt || later ? TEXT.later : "");
    showError(form, "note", note.length > NOTE_MAX ? TEXT.too_long : "");
    if (!contactedAt || later || note.length > NOTE_MAX) return null;
    return {
      id: crypto.randomUUID(),
      kind: "contact",
      label: form.dataset.name,
      data: { participant_id: Number(form.dataset.participant), kind: kind, contacted_at: contactedAt, note: note }
    };
  }

  document.querySelectorAll("[data-contact-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "kind") return; // Enter in a field: let the form say what is missing
      event.preventDefault();
      var item = contactFrom(form, button.value);
      if (!item) return;
      window.outbox.add(item).then(function () {
        var card = form.closest("[data-woman]");
        var saved = card.querySelector("[data-contact-saved]");
        saved.textContent = TEXT.saved.replace("{kind}", button.textContent.trim());
        saved.hidden = false;
        card.classList.remove("red", "amber");
        form.reset();
        form.closest("details").open = false;
      });
    });
  });
})();
