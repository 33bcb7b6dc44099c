/* The gate's scanner: the tablet camera (BarcodeDetector where the browser has it, else jsQR), or a USB
   scanner that types into the field and presses Enter. After each answer the field is ready again. */
(function () {
  "use strict";
  var stream = null;

  function submit(input) {
    if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    var box = document.getElementById("camera-box");
    if (box) { box.classList.add("d-none"); }
  }

  function found(input, text) {
    stop();
    input.value = text;
    submit(input);
  }

  function scanLoop(video, input) {
    var canvas = document.getElementById("camera-canvas");
    var detector = ("BarcodeDetector" in window) ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    function tick() {
      if (!stream) { return; }
      if (video.readyState < 2) { window.requestAnimationFrame(tick); return; }
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) { found(input, codes[0].rawValue); } else { window.requestAnimationFrame(tick); }
        }).catch(function () { detector = null; window.requestAnimationFrame(tick); });
        return;
      }
      if (window.jsQR) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        var ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) { found(input, code.data); return; }
      }
      window.setTimeout(function () { window.requestAnimationFrame(tick); }, 120);
    }
    tick();
  }

  document.querySelectorAll(".js-camera").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.target);
      if (stream) { stop(); return; }
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { input.focus(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        var video = document.getElementById("camera");
        document.getElementById("camera-box").classList.remove("d-none");
        video.srcObject = s;
        video.play();
        scanLoop(video, input);
      }).catch(function () { input.focus(); });
    });
  });

  // After an answer, the field is cleared and focused for the next card (a USB scanner types into it).
  // After a scan (Enter, or a card's text), the field's text is selected: the next scan replaces it
  // instead of being appended to it. A name being typed is left alone.
  var submitted = false;
  var scanForm = document.querySelector("[data-testid=scan-form]");
  if (scanForm) { scanForm.addEventListener("submit", function () { submitted = true; }); }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    var scan = document.getElementById("scan");
    if (target && target.id === "outcome") {
      if (scan) { scan.value = ""; scan.focus(); }
      document.getElementById("lookup").innerHTML = "";
    } else if (target && target.id === "lookup" && scan) {
      if (submitted || scan.value.indexOf(scan.dataset.cardPrefix || "\u0000") === 0) { scan.select(); }
      submitted = false;
    }
  });
  document.body.addEventListener("click", function (event) {
    if (event.target.closest("[data-dismiss-outcome]")) {
      document.getElementById("outcome").innerHTML = "";
      var scan = document.getElementById("scan");
      if (scan) { scan.focus(); }
    }
  });
})();
