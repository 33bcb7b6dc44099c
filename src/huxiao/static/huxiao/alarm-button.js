// The guard's one-click alarm (F-TECH-3): press and hold, so that a brush against the tablet does not send
// it. Sent once (an Idempotency-Key makes a retry safe); the panel then listens to the live stream and shows
// when the police acknowledged.
(function () {
  "use strict";
  var panel = document.querySelector("[data-testid=alarm-panel]");
  if (!panel) return;
  var button = panel.querySelector("[data-testid=alarm-button]");
  var status = panel.querySelector("[data-testid=alarm-status]");
  var holdMs = parseInt(panel.dataset.holdMs, 10) || 1500;
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var timer = null, source = null, alarmId = null;

  function say(template, time, kind) {
    status.textContent = template.replace("{time}", time || "");
    status.className = "fw-semibold text-" + kind;
  }
  function clock(iso) { return iso ? iso.slice(11, 19) : ""; }

  function listen() {
    if (source) return;
    source = new EventSource(panel.dataset.stream + "?last_event_id=" + (alarmId - 1));
    source.addEventListener("alarm_step", function (e) {
      var data = JSON.parse(e.data);
      if (data.id === alarmId && data.acknowledged_at) {
        say(panel.dataset.acked, clock(data.acknowledged_at), "success");
        panel.dataset.acknowledged = "true";
      }
    });
    source.addEventListener("alarm", function (e) {
      var data = JSON.parse(e.data);
      if (data.id === alarmId && data.acknowledged_at) say(panel.dataset.acked, clock(data.acknowledged_at), "success");
    });
  }

  function send() {
    button.disabled = true;
    var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    var attempt = function (triesLeft) {
      fetch(panel.dataset.api, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Idempotency-Key": key },
        body: JSON.stringify({ unit: parseInt(panel.dataset.unit, 10), kind: "button" })
      }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (data) {
        alarmId = data.id;
        panel.dataset.alarm = data.id;
        say(panel.dataset.sent, clock(data.raised_at), "danger");
        listen();
      }).catch(function () {
        if (triesLeft > 0) { setTimeout(function () { attempt(triesLeft - 1); }, 1000); return; }
        say(panel.dataset.failed, "", "danger");
        button.disabled = false;
      });
    };
    attempt(3);
  }

  function start(e) {
    if (button.disabled || timer) return;
    if (e) e.preventDefault();
    button.classList.add("hx-holding");
    timer = setTimeout(function () { timer = null; button.classList.remove("hx-holding"); send(); }, holdMs);
  }
  function cancel() {
    if (timer) { clearTimeout(timer); timer = null; }
    button.classList.remove("hx-holding");
  }
  button.addEventListener("pointerdown", start);
  ["pointerup", "pointerleave", "pointercancel"].forEach(function (n) { button.addEventListener(n, cancel); });
  button.addEventListener("keydown", function (e) { if ((e.key === " " || e.key === "Enter") && !e.repeat) start(e); });
  button.addEventListener("keyup", cancel);
  button.addEventListener("contextmenu", function (e) { e.preventDefault(); });

  if (panel.dataset.open) {  // an alarm of this unit is still open (the page was reloaded)
    alarmId = parseInt(panel.dataset.open, 10);
    if (panel.dataset.openAcked) say(panel.dataset.acked, panel.dataset.openAcked, "success");
    else { say(panel.dataset.sent, panel.dataset.openRaised, "danger"); listen(); }
  }
})();
