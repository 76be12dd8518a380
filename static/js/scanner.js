// The check-in scanner: reads QR cards with the camera, decides on the phone from the roster it keeps
// (first names and card hashes only), and queues every check-in in the outbox, online or not.
(function () {
  "use strict";
  var root = document.querySelector("[data-scanner]");
  if (!root || !window.outbox) return;

  var TEXT = JSON.parse(document.getElementById("scanner-text").textContent);
  var ZONE = "Europe/Copenhagen"; // the programme's times, whatever the phone is set to
  var SAME_CARD_PAUSE = 3000; // the camera sees a card in many frames: one scan per card and pause
  var UNDO_SECONDS = 10; // a wrong tap in the list can be taken back this long
  var select = root.querySelector("[data-session]");
  var nameLine = root.querySelector("[data-scan-name]");
  var statusLine = root.querySelector("[data-scan-status]");
  var result = root.querySelector("[data-scan-result]");
  var enrolForm = root.querySelector("[data-enrol]");
  var undoButton = root.querySelector("[data-undo]");
  var undoTimer = null;
  var lastCheckIn = null; // {item, session, woman}: what "Undo" takes back
  var manualList = root.querySelector("[data-manual-list]");
  var lang = document.documentElement.lang;
  var roster = { sessions: [] };
  var lastCode = { code: null, at: 0 };
  var pending = {}; // outbox item id -> what was shown for it
  var audio = null;

  function currentSession() {
    return roster.sessions.find(function (session) { return String(session.id) === select.value; });
  }

  function seenKey(session) { return "checked-in-" + session.id; }

  function seen(session) {
    var local = JSON.parse(sessionStorage.getItem(seenKey(session)) || "[]");
    return new Set(local.concat(session.checked_in_ids || []));
  }

  function markSeen(session, participantId) {
    var ids = Array.from(seen(session));
    ids.push(participantId);
    sessionStorage.setItem(seenKey(session), JSON.stringify(ids));
  }

  function unmarkSeen(session, participantId) {
    var local = JSON.parse(sessionStorage.getItem(seenKey(session)) || "[]");
    sessionStorage.setItem(seenKey(session), JSON.stringify(local.filter(function (id) { return id !== participantId; })));
  }

  // The roster: the copy kept on the phone at once (a stalled network must not keep her waiting at the
  // door), then the server's when it answers.
  function loadRoster() {
    return window.outbox.roster.fetch().catch(function () {
      return window.outbox.roster.kept() || roster;
    });
  }

  function showSessions() {
    select.textContent = "";
    var open = roster.sessions.filter(function (session) { return !session.cancelled; });
    if (!open.length) {
      show("", TEXT.no_sessions, "");
      return;
    }
    if (statusLine.textContent === TEXT.no_sessions) show("", TEXT.point, ""); // the server's list came
    var now = Date.now();
    var before = select.dataset.chosen;
    var chosen = open.find(function (session) { return String(session.id) === before; }) ||
      open.find(function (session) { return new Date(session.ends_at).getTime() > now; }) || open[0];
    select.dataset.chosen = chosen.id;
    open.forEach(function (session) {
      var option = document.createElement("option");
      option.value = session.id;
      var starts = new Date(session.starts_at);
      // Short enough for a 360 px screen: the list covers a week, so weekday and day say which one.
      option.textContent = session.group_name + " · " + starts.toLocaleString(lang, {
        weekday: "short", day: "numeric", timeZone: ZONE
      }) + " · " + starts.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", timeZone: ZONE });
      option.selected = session === chosen;
      select.appendChild(option);
    });
    if (roster.fetched_at) {
      root.querySelector("[data-roster-age]").textContent = TEXT.roster_from.replace(
        "{when}", new Date(roster.fetched_at).toLocaleString(lang, { hour: "2-digit", minute: "2-digit", timeZone: ZONE }));
    }
    showManualList();
  }

  function showManualList() {
    var session = currentSession();
    manualList.textContent = "";
    if (!session) return;
    var already = seen(session);
    session.roster.forEach(function (woman) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary" + (already.has(woman.participant_id) ? " done" : "");
      button.dir = "auto";
      button.textContent = woman.first_name;
      button.setAttribute("aria-pressed", already.has(woman.participant_id) ? "true" : "false");
      button.addEventListener("click", function () { checkIn(session, woman, { participant_id: woman.participant_id, method: "manual" }); });
      item.appendChild(button);
      manualList.appendChild(item);
    });
  }

  function show(name, status, kind) {
    root.querySelector("[data-camera-denied]").hidden = true;
    undoButton.hidden = true;
    nameLine.textContent = name;
    statusLine.textContent = status;
    result.className = "scan-result " + (kind || "");
    enrolForm.hidden = true;
  }

  function signal(kind) {
    if (navigator.vibrate) navigator.vibrate(kind === "ok" ? 120 : [60, 60, 60]);
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = kind === "ok" ? 880 : 330;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.15);
    } catch (error) {
      // No sound on this phone: the screen says it all.
    }
  }

  function sha256(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.from(new Uint8Array(buffer)).map(function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
    });
  }

  function onCode(code) {
    var now = Date.now();
    var same = code === lastCode.code && now - lastCode.at < SAME_CARD_PAUSE;
    lastCode = { code: code, at: now }; // the pause slides while the card stays in front of the camera
    if (same) return;
    var session = currentSession();
    if (!session) return;
    sha256(code).then(function (hash) {
      var woman = session.roster.find(function (entry) {
        return (entry.code_hashes || [entry.code_hash]).indexOf(hash) !== -1;
      });
      checkIn(session, woman, { card_code: code, method: "qr" });
    });
  }

  // Decide on the phone, show it at once, and queue the check-in; the server's answer may refine it.
  function checkIn(session, woman, how) {
    if (woman && seen(session).has(woman.participant_id)) {
      show(woman.first_name, TEXT.already, "already");
      signal("already");
      return;
    }
    var data = { session_id: session.id, scanned_at: new Date().toISOString() };
    if (how.card_code) data.card_code = how.card_code;
    else { data.participant_id = how.participant_id; data.method = how.method; }
    var item = { id: crypto.randomUUID(), kind: "checkin", data: data, label: woman ? woman.first_name : TEXT.card };
    if (woman) {
      markSeen(session, woman.participant_id);
      show(woman.first_name, TEXT.checked_in, "ok");
      signal("ok");
      showManualList();
      offerUndo(item, session, woman);
    } else {
      show("", navigator.onLine === false ? TEXT.queued_unknown : TEXT.checking, "waiting");
    }
    pending[item.id] = { session: session, known: Boolean(woman), woman: woman };
    window.outbox.add(item).catch(function () {
      // Not saved on the phone: say so, and let her be checked in again.
      if (woman) unmarkSeen(session, woman.participant_id);
      show(woman ? woman.first_name : "", TEXT.not_saved, "refused");
      showManualList();
    });
  }

  function offerUndo(item, session, woman) {
    lastCheckIn = { item: item, session: session, woman: woman };
    undoButton.hidden = false;
    clearTimeout(undoTimer);
    undoTimer = setTimeout(function () { undoButton.hidden = true; lastCheckIn = null; }, UNDO_SECONDS * 1000);
  }

  // Not sent yet: it leaves the phone. Sent or on its way: an undo item follows it (the server also
  // refuses the check-in if the undo comes first).
  undoButton.addEventListener("click", function () {
    var last = lastCheckIn;
    if (!last) return;
    lastCheckIn = null;
    clearTimeout(undoTimer);
    delete pending[last.item.id];
    window.outbox.remove(last.item.id).then(function () {
      return window.outbox.add({
        id: crypto.randomUUID(), kind: "checkin_undo", label: last.woman.first_name,
        data: { undoes: last.item.id, session_id: last.session.id }
      });
    }).then(function () {
      unmarkSeen(last.session, last.woman.participant_id);
      last.session.checked_in_ids = (last.session.checked_in_ids || []).filter(function (id) {
        return id !== last.woman.participant_id;
      });
      show(last.woman.first_name, TEXT.undone, "");
      showManualList();
    }, function () {
      show(last.woman.first_name, TEXT.not_saved, "refused");
    });
  });

  document.addEventListener("outbox:result", function (event) {
    var answer = event.detail.result;
    var shown = pending[answer.id];
    if (!shown) return;
    delete pending[answer.id];
    var notEnrolled = answer.reason === "not_enrolled";
    if (answer.status === "ok" || answer.status === "duplicate") {
      if (answer.participant_id) markSeen(shown.session, answer.participant_id);
    } else if (shown.woman) {
      unmarkSeen(shown.session, shown.woman.participant_id); // refused: she can be checked in another way
    }
    if (shown.known && answer.status === "ok" && !notEnrolled) return; // already shown
    if ((answer.status === "ok" || answer.first_status === "ok") && notEnrolled) {
      show(answer.first_name, TEXT.not_enrolled, "ok");
      offerEnrolment(shown.session, answer.participant_id);
      signal("ok");
    } else if (answer.status === "ok") {
      show(answer.first_name, TEXT.checked_in, "ok");
      signal("ok");
    } else if (answer.status === "duplicate") {
      show(answer.first_name || "", TEXT.already, "already");
    } else {
      show("", TEXT[answer.reason] || TEXT.refused, "refused");
      signal("refused");
    }
    showManualList();
  });

  function offerEnrolment(session, participantId) {
    enrolForm.hidden = false;
    enrolForm.action = "/" + lang + "/groups/" + session.group_id + "/members";
    enrolForm.elements.participant_id.value = participantId;
  }

  enrolForm.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(enrolForm.action, { method: "POST", body: new FormData(enrolForm), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("enrol " + response.status);
        enrolForm.hidden = true;
        statusLine.textContent = TEXT.enrolled;
        return loadRoster().then(function (body) { roster = body; showSessions(); });
      }).catch(function () { statusLine.textContent = TEXT.not_enrolled_failed; });
  });

  select.addEventListener("change", function () {
    select.dataset.chosen = select.value;
    show("", "", "");
    showManualList();
  });

  function startCamera() {
    if (!window.QrScanner) return cameraDenied();
    var scanner = new QrScanner(root.querySelector("[data-video]"), function (scan) { onCode(scan.data); }, {
      returnDetailedScanResult: true,
      maxScansPerSecond: 10,
      preferredCamera: "environment"
    });
    window.scanner = scanner; // for tests, the benchmark and the console
    window.checkinScanner = { onCode: onCode, forgetLastCard: function () { lastCode = { code: null, at: 0 }; } };
    scanner.start().catch(cameraDenied);
  }

  function cameraDenied() {
    root.querySelector("[data-camera]").hidden = true;
    if (statusLine.textContent === TEXT.point) statusLine.textContent = ""; // not beside "cannot be used"
    root.querySelector("[data-camera-denied]").hidden = false;
    var first = manualList.querySelector("button");
    if (first) first.focus();
  }

  roster = window.outbox.roster.kept() || roster;
  showSessions();
  startCamera();
  loadRoster().then(function (body) {
    roster = body;
    showSessions();
  });
})();
