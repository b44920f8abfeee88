// warroom console live updates. Without JavaScript every page still reads and
// every form still posts; with it, regions marked data-live refresh when the
// server's event stream says something changed, and fall back to polling when
// the stream is cut.
(function () {
  "use strict";
  var holder = document.querySelector("[data-stream]");
  if (!holder || !window.fetch) { return; }
  var status = document.getElementById("live-status");
  var pending = null, pollTimer = null, source = null, lastId = null;
  var POLL_MS = 5000;

  function say(text) { if (status) { status.textContent = text; } }

  function refresh() {
    pending = null;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (region) {
          var fresh = region.id && doc.getElementById(region.id);
          if (!fresh || region.contains(document.activeElement)) { return; }
          region.innerHTML = fresh.innerHTML;
        });
        document.documentElement.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* the next event or poll tries again */ });
  }

  function soon() { if (!pending) { pending = setTimeout(refresh, 50); } }

  function poll() {
    if (!pollTimer) { say("Live updates paused; checking every 5 s."); pollTimer = setInterval(refresh, POLL_MS); }
  }

  function connect() {
    var url = holder.getAttribute("data-stream");
    if (lastId) { url = url.replace(/after=\d+/, "after=" + lastId); }
    source = new EventSource(url);
    source.addEventListener("open", function () {
      say("Live");
      if (pollTimer) { clearInterval(pollTimer); pollTimer = null; refresh(); }
    });
    source.addEventListener("timeline", function (event) { lastId = event.lastEventId; soon(); });
    source.addEventListener("error", function () {
      poll();
      if (source.readyState === EventSource.CLOSED) { setTimeout(connect, POLL_MS); }
    });
  }

  if (window.EventSource) { connect(); } else { poll(); }
})();
