// The alarm console (F-TECH-3): new alarms and their steps arrive over server-sent events; the
// EventSource reconnects by itself and sends Last-Event-ID, so nothing raised meanwhile is missed.
(function () {
  "use strict";
  var list = document.getElementById("alarm-list");
  if (!list) return;
  var state = document.querySelector("[data-testid=stream-state]");
  var template = document.getElementById("alarm-template");
  var audio = null;
  var labels = JSON.parse(document.getElementById("step-labels").textContent);

  // Browsers play sound only after the user has interacted with the page.
  function enableSound() {
    if (audio) return;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    audio = new Ctx();
    document.documentElement.dataset.sound = "on";
  }
  document.addEventListener("click", enableSound, { once: true });

  function beep() {
    if (!audio) return;
    var t = audio.currentTime;
    for (var i = 0; i < 3; i++) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = 880; osc.connect(gain); gain.connect(audio.destination);
      gain.gain.setValueAtTime(0.3, t + i * 0.4); gain.gain.setValueAtTime(0, t + i * 0.4 + 0.25);
      osc.start(t + i * 0.4); osc.stop(t + i * 0.4 + 0.3);
    }
    document.documentElement.dataset.lastBeep = String(Date.now());
  }

  function render(row, data) {
    row.querySelectorAll("[data-field]").forEach(function (el) {
      var key = el.dataset.field, value = data[key];
      if (value === undefined || value === null) return;
      if (key === "raised_at") value = value.slice(11, 19);
      if (key === "kind") value = data.kind_label || value;
      if (key === "step") { el.dataset.stepValue = value; value = labels[value] || value; }
      el.textContent = value;
    });
    row.classList.toggle("list-group-item-danger", !data.acknowledged_at);
    var escalated = row.querySelector("[data-escalated]");
    if (escalated) escalated.classList.toggle("d-none", !data.escalated_at);
    // Only the next step is offered (the response keeps its order; the server refuses any other).
    var next = data.next_step === undefined ? null : data.next_step;
    row.querySelectorAll("[data-step]").forEach(function (button) {
      button.formAction = "/alarms/" + data.id + "/" + button.dataset.step + "/";
      button.classList.toggle("d-none", button.dataset.step !== next);
    });
  }

  // A closed alarm leaves the live list for the list of today's closed ones.
  var closedList = document.getElementById("closed-list");
  function retire(row, data) {
    if (!closedList) { row.remove(); return; }
    var form = row.querySelector("[data-step-form]");
    if (form) form.remove();
    row.classList.remove("list-group-item-danger");
    closedList.prepend(row);
    var none = document.getElementById("no-closed");
    if (none) none.remove();
    if (!list.querySelector("[data-alarm]") && !document.getElementById("no-alarms")) {
      var p = document.createElement("p");
      p.id = "no-alarms"; p.className = "text-body-secondary"; p.textContent = list.dataset.empty;
      list.append(p);
    }
  }

  // Closing asks first: a closed alarm leaves every console and alert strip.
  list.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (button && button.dataset.step === "closed" && !window.confirm(e.target.dataset.confirmClose)) {
      e.preventDefault();
    }
  });

  // The panel beside the list: the chosen alarm's unit (map, address, whom to call, who is on duty).
  var panel = document.getElementById("alarm-panel");
  var shown = null;
  function drawMap() {
    var el = panel.querySelector("[data-testid=alarm-map]");
    if (!el || !window.L) return;
    var at = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    var map = L.map(el, { zoomControl: true, attributionControl: false }).setView(at, 16);
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    L.circleMarker(at, { radius: 11, color: "#fff", weight: 3, fillColor: "#dc3545", fillOpacity: 0.95 })
      .bindTooltip(el.dataset.name, { permanent: true, direction: "top", offset: [0, -10] }).addTo(map);
  }
  function showPanel(id) {
    if (!panel || !id) return;
    shown = String(id);
    document.querySelectorAll("#alarm-list [data-alarm], #closed-list [data-alarm]").forEach(function (row) {
      row.classList.toggle("hx-selected", row.dataset.alarm === shown);
    });
    fetch("/alarms/" + id + "/panel/", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (shown === String(id)) { panel.innerHTML = html; drawMap(); } })
      .catch(function () { /* the list still works; the panel fills on the next event */ });
  }
  function choose(e) {
    if (e.target.closest("button, a, form")) return;
    var row = e.target.closest("[data-alarm]");
    if (row) showPanel(row.dataset.alarm);
  }
  list.addEventListener("click", choose);
  if (closedList) closedList.addEventListener("click", choose);
  var first = panel && panel.querySelector("[data-panel-url]");
  if (first) showPanel(first.dataset.panelUrl.split("/").filter(Boolean)[1]);

  var source = new EventSource(list.dataset.stream);
  source.onopen = function () { state.textContent = state.dataset.live; state.className = "badge text-bg-success"; };
  source.onerror = function () { state.textContent = state.dataset.lost; state.className = "badge text-bg-warning"; };
  source.addEventListener("alarm", function (e) {
    var data = JSON.parse(e.data);
    var row = list.querySelector('[data-alarm="' + data.id + '"]');
    if (data.step === "closed") {  // a catch-up of an alarm already over: not a live one
      if (row) retire(row, data);
      return;
    }
    if (!row) {
      row = template.content.firstElementChild.cloneNode(true);
      row.dataset.alarm = data.id;
      var empty = document.getElementById("no-alarms");
      if (empty) empty.remove();
      list.prepend(row);
      if (!data.acknowledged_at) beep();
      render(row, data);
      showPanel(data.id);
      return;
    }
    render(row, data);
  });
  source.addEventListener("alarm_step", function (e) {
    var data = JSON.parse(e.data);
    var row = list.querySelector('[data-alarm="' + data.id + '"]');
    if (row) {
      render(row, data);
      if (data.step === "closed") retire(row, data);
    }
    if (shown === String(data.id)) showPanel(data.id);
  });
})();
