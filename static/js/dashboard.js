// The leader dashboard's monthly trend (Chart.js): received and resolved as bars, the on-time rate as
// a line. The figures come from the page's json_script "trend-data", the labels from the canvas.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var canvas = document.getElementById("trend");
  var data = document.getElementById("trend-data");
  if (!canvas || !data || !window.Chart) return;
  var rows = JSON.parse(data.textContent);
  if (!rows.length) return;
  var column = function (key) { return rows.map(function (r) { return r[key]; }); };
  new window.Chart(canvas, {
    data: {
      labels: column("month"),
      datasets: [
        {type: "bar", label: canvas.dataset.labelReceived, data: column("received"), backgroundColor: "#90caf9", yAxisID: "y"},
        {type: "bar", label: canvas.dataset.labelResolved, data: column("resolved"), backgroundColor: "#a5d6a7", yAxisID: "y"},
        {type: "line", label: canvas.dataset.labelRate, data: column("on_time_rate"), yAxisID: "rate", borderColor: "#a4161a"}
      ]
    },
    options: {animation: false, scales: {
      y: {position: "left", beginAtZero: true, ticks: {precision: 0}},
      rate: {position: "right", min: 0, max: 100, grid: {drawOnChartArea: false}}
    }}
  });
});
