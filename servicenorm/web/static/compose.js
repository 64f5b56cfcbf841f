// As the seller types an answer, ask the server what the marketplace's message policy would
// do with it (POST <textarea data-check>, the same check as on sending; nothing is stored)
// and say so next to the field: which contact details would be removed and why, or that the
// answer cannot be sent. Without this script the same notice comes back on sending.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("textarea[data-check]");
  Array.prototype.forEach.call(boxes, function (box) {
    var out = document.getElementById(box.getAttribute("data-check-out"));
    var form = box.form;
    var csrf = form ? form.querySelector("input[name=csrf]") : null;
    var timer = null, asked = "";
    function ask() {
      var text = box.value;
      if (text === asked) { return; }
      asked = text;
      var data = new URLSearchParams();
      data.set("body", text);
      data.set("csrf", csrf ? csrf.value : "");
      fetch(box.getAttribute("data-check"), {
        method: "POST", credentials: "same-origin", body: data,
        headers: { "Accept": "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (v) {
          if (!v || text !== box.value) { return; }
          out.textContent = v.message || "";
          out.hidden = !v.message;
          out.className = v.action === "block" ? "error" : "notice";
        })
        .catch(function () { /* offline: the check runs again on sending */ });
    }
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 500);
    });
  });
})();
