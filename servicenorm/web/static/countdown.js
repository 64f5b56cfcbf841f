// The queue's live countdown. The server states, at its `now`, each question's working time
// left (or overdue), whether the working-time clock is running, and when that changes (the
// calendar's next closing or opening). Until then working time passes one second per second
// (running) or not at all (paused); at the change, and every minute, the page asks again.
// No working-time rule is computed here.
(function () {
  "use strict";
  var holder = document.getElementById("countdown-state");
  var list = document.getElementById("queue");
  if (!holder || !list) { return; }
  var state = JSON.parse(holder.textContent);
  var loadedAt = Date.now();
  var refreshing = false;

  // "7 h 05 min 09 s", "4 min 09 s", "9 s": the page's own units (data-units), as the server
  // writes them (render.duration_text)
  var units = (list.getAttribute("data-units") || "h|min|s").split("|");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hms(total) {
    total = Math.max(0, Math.floor(total));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    if (h) { return h + " " + units[0] + " " + pad(m) + " " + units[1] + " " + pad(s) + " " + units[2]; }
    if (m) { return m + " " + units[1] + " " + pad(s) + " " + units[2]; }
    return s + " " + units[2];
  }

  function serverNow() { return state.now + (Date.now() - loadedAt); }

  function render() {
    var now = serverNow();
    var passed = state.running ? (Math.min(now, state.change_at) - state.now) / 1000 : 0;
    state.items.forEach(function (it) {
      var row = document.getElementById("q-" + it.id);
      if (!row) { return; }
      var el = row.querySelector(".countdown");
      var left = it.left - passed, over = it.over;
      var overdue = it.state === "overdue" || left < 0;
      if (overdue) { over = it.over + (it.state === "overdue" ? passed : -left); }
      var tpl = overdue ? el.getAttribute("data-text-over") : el.getAttribute("data-text-left");
      el.textContent = tpl.replace("{t}", hms(overdue ? over : left));
      if (overdue && !row.classList.contains("state-overdue")) {
        row.classList.remove("state-ok", "state-due_soon");
        row.classList.add("state-overdue");
      }
    });
    if (now >= state.change_at || now - state.now > 60000) { refresh(); }
  }

  function refresh() {
    if (refreshing) { return; }
    refreshing = true;
    fetch(list.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fresh) {
        if (!fresh) { return; }
        var before = state.items.map(function (i) { return i.id; }).join(",");
        var after = fresh.items.map(function (i) { return i.id; }).join(",");
        state = fresh;
        loadedAt = Date.now();
        if (before !== after) { document.getElementById("queue-changed").hidden = false; }
      })
      .catch(function () { /* offline: keep counting, try again at the next tick */ })
      .then(function () { refreshing = false; });
  }

  render();
  window.setInterval(render, 1000);
})();
