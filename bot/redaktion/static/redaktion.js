/* Redaktionskonsole: live checks in forms, publish progress, test chat. No inline scripts (CSP). */
(function () {
  "use strict";

  function counterFor(field) {
    var id = (field.getAttribute("aria-describedby") || "").split(" ")[0];
    return id ? document.getElementById(id) : null;
  }

  function checkLength(field) {
    var max = parseInt(field.getAttribute("data-max"), 10);
    var out = counterFor(field);
    var length = field.value.replace(/\r\n/g, "\n").trim().length;
    var over = length > max;
    if (out) {
      out.textContent = length + " / " + max + " Zeichen" + (over ? " – bitte kürzen" : "");
      out.classList.toggle("over", over);
    }
    field.setCustomValidity(over ? "Höchstens " + max + " Zeichen." : "");
  }

  function checkUrls(field) {
    var out = counterFor(field);
    var lines = field.value.split(/[\n,]+/).map(function (s) { return s.trim(); }).filter(Boolean);
    var bad = lines.filter(function (s) { return !/^https:\/\/[^\s\/]+\.[^\s]+$/.test(s); });
    var message = bad.length ? "Keine vollständige https-Adresse: " + bad.join(", ") : (lines.length ? lines.length + " Quelle(n), alle mit https" : "Mindestens eine Quelle angeben");
    if (out) { out.textContent = message; out.classList.toggle("over", bad.length > 0 || !lines.length); }
    field.setCustomValidity(bad.length ? message : "");
  }

  function checkLines(field) {
    var min = parseInt(field.getAttribute("data-min-lines"), 10);
    var count = field.value.split("\n").filter(function (s) { return s.trim(); }).length;
    var out = counterFor(field);
    if (out) { out.textContent = count + " Beispielfragen (mindestens " + min + ")"; out.classList.toggle("over", count < min); }
  }

  function wire(selector, check) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (field) {
      field.addEventListener("input", function () { check(field); });
      check(field);
    });
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function pollPublish() {
    var box = document.getElementById("veroeffentlichen");
    if (!box || box.getAttribute("data-state") !== "laeuft") { return; }
    var labels = {fertig: "– erledigt", fehler: "– fehlgeschlagen", laeuft: "– läuft …", offen: ""};
    function tick() {
      fetch(box.getAttribute("data-status-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var job = data.job;
          if (!job) { return; }
          job.steps.forEach(function (step) {
            var item = box.querySelector('[data-key="' + step.key + '"]');
            if (item) {
              item.className = "step-" + step.status;
              item.querySelector(".step-status").textContent = labels[step.status];
            }
          });
          var log = document.getElementById("protokoll");
          if (log) { log.textContent = job.log.join("\n"); }
          if (job.state !== "laeuft") { window.location.reload(); return; }
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 4000); });
    }
    window.setTimeout(tick, 1500);
  }

  function addBubble(log, who, text, buttons) {
    var item = document.createElement("div");
    item.className = "bubble " + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = who === "user" ? "Sie: " : "Bot: ";
    item.appendChild(label);
    var body = document.createElement("span");
    body.textContent = text;
    item.appendChild(body);
    if (buttons && buttons.length) {
      var list = document.createElement("span");
      list.className = "chips";
      list.textContent = "Vorschläge: " + buttons.join(" · ");
      item.appendChild(list);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function wireChat() {
    var form = document.getElementById("chatformular");
    var section = document.getElementById("ausprobieren");
    if (!form || !section) { return; }
    var log = document.getElementById("chatverlauf");
    var input = document.getElementById("chateingabe");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) { return; }
      addBubble(log, "user", text);
      input.value = "";
      fetch(section.getAttribute("data-url"), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json"},
        body: JSON.stringify({text: text})
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (data.error) { addBubble(log, "error", data.error); return; }
        if (!data.messages.length) { addBubble(log, "bot", "(keine Antwort)"); }
        data.messages.forEach(function (m) { addBubble(log, "bot", m.text, m.buttons); });
      }).catch(function () { addBubble(log, "error", "Keine Verbindung zur Konsole."); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire("textarea[data-max]", checkLength);
    wire("textarea[data-urls]", checkUrls);
    wire("textarea[data-min-lines]", checkLines);
    pollPublish();
    wireChat();
  });
}());
