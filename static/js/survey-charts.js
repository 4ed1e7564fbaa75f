/* Survey results: one horizontal bar chart per question, drawn from the JSON that
 * Django's json_script put next to the canvas. A suppressed (small) cell arrives as
 * null and draws no bar; the table under each chart gives the same numbers. */
(function () {
  "use strict";

  var BAR_HEIGHT = 34;
  var CHROME_HEIGHT = 56;

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.surveyChart);
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var box = canvas.closest("[data-chart-box]");
    if (box) {
      // CSSOM, not a style attribute: allowed by the strict CSP.
      box.style.position = "relative";
      box.style.height = CHROME_HEIGHT + BAR_HEIGHT * data.labels.length + "px";
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "Shoppers",
            data: data.values,
            backgroundColor: "#0a58ca",
            borderRadius: 3,
            maxBarThickness: 26,
          },
        ],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { enabled: true },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Shoppers" } },
          y: { ticks: { autoSkip: false } },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-survey-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
