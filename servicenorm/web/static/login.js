// A login link may carry the token in its fragment (/ui/login#token=sn_...): the fragment
// never reaches the server or its logs. Fill the field, clear the address bar, submit.
(function () {
  "use strict";
  var m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!m) { return; }
  var field = document.getElementById("token");
  var form = document.getElementById("login-form");
  if (!field || !form) { return; }
  field.value = decodeURIComponent(m[1]);
  history.replaceState(null, "", window.location.pathname + window.location.search);
  form.submit();
})();
