/* Campaign dashboards: bar and line charts drawn from the JSON that Django's json_script
 * put next to each canvas ({labels, datasets: [{label, values}]}). A suppressed (small)
 * cell arrives as null and draws nothing; the table under each chart gives the same
 * numbers. No inline script or style: the strict CSP allows this file only. */
(function () {
  "use strict";

  var COLOURS = ["#0a58ca", "#198754", "#d63384", "#fd7e14", "#6f42c1", "#0dcaf0", "#6c757d"];
  var HEIGHT = 320;

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.campaignChart);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var type = canvas.dataset.chartType === "line" ? "line" : "bar";
    var box = canvas.closest("[data-chart-box]");
    if (box) {
      // CSSOM, not a style attribute: allowed by the strict CSP.
      box.style.position = "relative";
      box.style.height = HEIGHT + "px";
    }
    new Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          var colour = COLOURS[index % COLOURS.length];
          return {
            label: set.label,
            data: set.values,
            backgroundColor: colour,
            borderColor: colour,
            borderRadius: 3,
            maxBarThickness: 40,
            spanGaps: false,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: data.datasets.length > 1 },
          tooltip: { enabled: true },
        },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          x: { ticks: { autoSkip: type === "line" } },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-campaign-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
