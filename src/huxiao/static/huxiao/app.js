/* Huxiao page behaviour. No inline scripts (CSP): pages hand data over with json_script. */
(function () {
  "use strict";

  // The language switch submits as soon as a language is picked.
  document.querySelectorAll(".js-autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // Units map (Leaflet). Tiles only where the deployment names a server inside its network.
  var unitMap = null, unitLayer = null;
  function drawUnitMap() {
    var el = document.getElementById("unit-map");
    var units = readJSON("unit-map-data");
    if (!el || !window.L || !units) { return; }
    if (!unitMap) {
      unitMap = L.map(el, { zoomControl: true, attributionControl: false });
      if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(unitMap); }
      unitLayer = L.layerGroup().addTo(unitMap);
    }
    unitLayer.clearLayers();
    var bounds = [];
    units.forEach(function (u) {
      var colour = u.kind === "kindergarten" ? "#d63384" : "#0d6efd";
      var marker = L.circleMarker([u.lat, u.lng], { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 0.9 });
      var link = document.createElement("a");
      link.href = u.url; link.textContent = u.name;
      marker.bindPopup(link);
      marker.bindTooltip(u.name, { direction: "top", offset: [0, -6] });
      marker.addTo(unitLayer);
      bounds.push([u.lat, u.lng]);
    });
    if (bounds.length) { unitMap.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 }); }
    else { unitMap.setView([30.28, 120.13], 13); }
  }

  // Overview chart (ECharts).
  function drawByKind() {
    var el = document.getElementById("by-kind-chart");
    var data = readJSON("by-kind-data");
    if (!el || !window.echarts || !data) { return; }
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 110, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels },
      series: [{ type: "bar", data: data.values, label: { show: true, position: "right" }, itemStyle: { color: "#0d6efd" } }],
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Compliance trend (ECharts): units failing / warned per day.
  function drawTrend() {
    var el = document.getElementById("trend-chart");
    var data = readJSON("trend-data");
    if (!el || !window.echarts || !data) { return; }
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 40, right: 16, top: 30, bottom: 30 },
      legend: { top: 0, data: [el.dataset.failLabel || "fail", el.dataset.warnLabel || "warn"] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.dataset.failLabel || "fail", type: "line", data: data.failed, symbol: "rect", itemStyle: { color: "#b02a37" } },
        { name: el.dataset.warnLabel || "warn", type: "line", data: data.warned, symbol: "triangle", lineStyle: { type: "dashed" }, itemStyle: { color: "#997404" } }
      ],
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // Police visibility (见警率): weekly rate.
  function drawVisibility() {
    var el = document.getElementById("visibility-chart");
    var data = readJSON("visibility-data");
    if (!el || !window.echarts || !data) { return; }
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 40, right: 16, top: 16, bottom: 30 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      xAxis: { type: "category", data: data.weeks.map(function (d) { return d.slice(5); }) },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [{ type: "bar", data: data.rates, label: { show: true, position: "top", formatter: "{c}%" }, itemStyle: { color: "#0d6efd" } }],
      animation: false
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // The compliance matrix: a cell's evidence opens in a dialog once htmx has loaded it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "evidence-panel" && window.bootstrap) {
      bootstrap.Modal.getOrCreateInstance(document.getElementById("evidence-modal")).show();
    }
  });

  // Overview: failing units per rule; a bar opens the matrix filtered to that rule's failures.
  function drawFailing() {
    var el = document.getElementById("failing-chart");
    var data = readJSON("failing-data");
    if (!el || !window.echarts || !data) { return; }
    if (!data.values.some(function (v) { return v > 0; })) {  // nothing fails: say so, no empty chart
      el.classList.add("d-none");
      var none = document.getElementById("failing-none");
      if (none) { none.classList.remove("d-none"); }
      return;
    }
    // A row per rule, each tall enough for its name: the rules grow with the notice, the chart with them.
    el.style.height = Math.max(160, data.labels.length * 26 + 40) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      grid: { left: 150, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { interval: 0 } },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#b02a37" },
                 label: { show: true, position: "right", formatter: function (p) { return p.value ? p.value : ""; } } }],
      animation: false
    });
    chart.on("click", function (params) {
      window.location.href = el.dataset.matrixUrl + "?status=fail&rule=" + encodeURIComponent(data.codes[params.dataIndex]);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll(".js-print").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });

  drawUnitMap();
  drawByKind();
  drawFailing();
  drawTrend();
  drawVisibility();
  document.body.addEventListener("htmx:afterSettle", drawUnitMap);
})();
