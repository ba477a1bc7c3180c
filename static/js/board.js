// The public board and its widget refresh their figures in place, without reloading the page:
// every data-refresh-seconds the page is fetched again and its [data-board-live] part swapped in.
// No network: the figures on screen stay, and the next round tries again.
(function () {
  "use strict";
  function start() {
    var seconds = parseInt(document.body.getAttribute("data-refresh-seconds"), 10);
    if (!(seconds > 0) || !window.fetch || !window.DOMParser) return;
    window.setInterval(function () {
      fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-board-live]");
          var current = document.querySelector("[data-board-live]");
          if (fresh && current) current.innerHTML = fresh.innerHTML;
        })
        .catch(function () {});
    }, seconds * 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
