/* Draws every Plotly figure of the page from the JSON the server placed beside it. */
"use strict";

function drawFigures() {
  if (!window.Plotly) {
    return;
  }
  for (const holder of document.querySelectorAll("[data-figure]")) {
    const source = document.getElementById(holder.dataset.figure);
    if (!source) {
      continue;
    }
    const figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(holder, figure.data, figure.layout, {
      displaylogo: false,
      responsive: true,
    });
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawFigures);
} else {
  drawFigures();
}
