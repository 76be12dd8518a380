// "My women": a contact in two taps ("Record a contact", then how), saved on the phone first and sent by the
// outbox, so it works in a stairwell without a connection. One form serves every woman: it opens under the
// woman tapped. Without the outbox the button opens her contact page instead.
(function () {
  "use strict";
  var textNode = document.getElementById("caseload-text");
  var form = document.querySelector("[data-contact-form]");
  if (!textNode || !form || !window.outbox || !window.crypto || !crypto.randomUUID) return;
  var TEXT = JSON.parse(textNode.textContent);
  var NOTE_MAX = 500;
  var opener = null;

  function localInputToIso(value) {
    // "2027-01-12T14:30" is the phone's local time: Date reads it so, and toISOString writes it in UTC.
    var moment = new Date(value);
    return isNaN(moment.getTime()) ? null : moment.toISOString();
  }

  function showError(name, message) {
    var input = form.elements[name];
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

  function open(link) {
    var card = link.closest("[data-woman]");
    if (opener === link && !form.hidden) return close();
    opener = link;
    form.dataset.participant = card.dataset.woman;
    form.dataset.name = card.querySelector("bdi").textContent;
    form.querySelector("[data-contact-name]").textContent = form.dataset.name;
    form.reset();
    showError("when", "");
    showError("note", "");
    card.appendChild(form);
    form.hidden = false;
    link.setAttribute("aria-expanded", "true");
    form.querySelector("button[name=kind]").focus();
  }

  function close() {
    form.hidden = true;
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
  }

  function contactFrom(kind) {
    var when = form.elements.when.value;
    var note = form.elements.note.value.trim();
    var contactedAt = when ? localInputToIso(when) : new Date().toISOString();
    var later = contactedAt && new Date(contactedAt).getTime() > Date.now() + 5 * 60000;
    showError("when", !contactedAt || later ? TEXT.later : "");
    showError("note", note.length > NOTE_MAX ? TEXT.too_long : "");
    if (!contactedAt || later || note.length > NOTE_MAX) return null;
    return {
      id: crypto.randomUUID(),
      kind: "contact",
      label: form.dataset.name,
      data: { participant_id: Number(form.dataset.participant), kind: kind, contacted_at: contactedAt, note: note }
    };
  }

  document.querySelectorAll("[data-contact-for]").forEach(function (link) {
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      open(link);
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.submitter;
    if (!button || button.name !== "kind") return; // Enter in a field: a way of contact is still to be tapped
    var item = contactFrom(button.value);
    if (!item) return;
    var card = form.closest("[data-woman]");
    window.outbox.add(item).then(function () {
      var saved = card.querySelector("[data-contact-saved]");
      saved.textContent = TEXT.saved.replace("{kind}", button.textContent.trim());
      saved.hidden = false;
      card.classList.remove("red", "amber");
      close();
    });
  });
})();
