// Streamlit's component protocol (v1), by hand: no library, nothing fetched.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  var label = document.getElementById("label");
  var status = document.getElementById("status");

  function send(type, extra) {
    var message = { isStreamlitMessage: true, type: type };
    for (var name in extra) { message[name] = extra[name]; }
    window.parent.postMessage(message, "*");
  }
  function setHeight() {
    send("streamlit:setFrameHeight", { height: Math.ceil(document.body.scrollHeight) + 2 });
  }
  function reply(value) {
    value.at = Date.now();  // each answer is new, even from the same place
    send("streamlit:setComponentValue", { value: value, dataType: "json" });
  }
  function idle(text) {
    button.disabled = false;
    label.textContent = "Use my location";
    status.textContent = text || "";
    setHeight();
  }

  // Theme colours from Streamlit's render message: only values that look like CSS colours are used.
  var COLOUR = /^(#[0-9a-fA-F]{3,8}|rgba?\([0-9., %]+\))$/;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "streamlit:render") { return; }
    var theme = data.theme || {};
    [["--text", theme.textColor], ["--primary", theme.primaryColor], ["--background", theme.backgroundColor]]
      .forEach(function (pair) {
        if (typeof pair[1] === "string" && COLOUR.test(pair[1])) {
          document.documentElement.style.setProperty(pair[0], pair[1]);
        }
      });
    button.disabled = !!data.disabled;
    setHeight();
  });

  button.addEventListener("click", function () {
    if (!window.isSecureContext) { reply({ error: "insecure" }); return; }
    if (!navigator.geolocation) { reply({ error: "unsupported" }); return; }
    button.disabled = true;
    label.textContent = "Finding your position\u2026";
    setHeight();
    navigator.geolocation.getCurrentPosition(function (position) {
      idle("");
      reply({ latitude: position.coords.latitude, longitude: position.coords.longitude });
    }, function (error) {
      var code = { 1: "denied", 2: "unavailable", 3: "timeout" }[error && error.code] || "unavailable";
      idle("");
      reply({ error: code });
    }, { enableHighAccuracy: false, timeout: 20000, maximumAge: 600000 });
  });

  send("streamlit:componentReady", { apiVersion: 1 });
  setHeight();
})();
