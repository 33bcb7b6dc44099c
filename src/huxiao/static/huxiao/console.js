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
    row.querySelectorAll("[data-step]").forEach(function (button) {
      button.formAction = "/alarms/" + data.id + "/" + button.dataset.step + "/";
    });
  }

  var source = new EventSource(list.dataset.stream);
  source.onopen = function () { state.textContent = state.dataset.live; state.className = "badge text-bg-success"; };
  source.onerror = function () { state.textContent = state.dataset.lost; state.className = "badge text-bg-warning"; };
  source.addEventListener("alarm", function (e) {
    var data = JSON.parse(e.data);
    var row = list.querySelector('[data-alarm="' + data.id + '"]');
    if (!row) {
      row = template.content.firstElementChild.cloneNode(true);
      row.dataset.alarm = data.id;
      var empty = document.getElementById("no-alarms");
      if (empty) empty.remove();
      list.prepend(row);
      if (!data.acknowledged_at) beep();
    }
    render(row, data);
  });
  source.addEventListener("alarm_step", function (e) {
    var data = JSON.parse(e.data);
    var row = list.querySelector('[data-alarm="' + data.id + '"]');
    if (row) render(row, data);
  });
})();
