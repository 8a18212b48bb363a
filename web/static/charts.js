// 社区服务数据报送系统: the charts of the dashboard pages, drawn by the
// vendored Apache ECharts (/static/vendor/echarts/). Each chart is a
// <div class="chart" data-chart="…"> whose JSON the server wrote from the
// same rows as the table under it: categories, and a series per column.
// No font, map or script comes from anywhere but this server.
(function () {
  "use strict";

  var palette = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#795548", "#546e7a"];

  function pct(v) { return (v * 100).toFixed(1) + "%"; }

  function num(v) {
    return Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }

  function option(spec) {
    var fmt = spec.percent ? pct : num;
    var line = spec.type === "line";
    return {
      animation: false,
      color: palette,
      textStyle: { fontFamily: "sans-serif", color: "#1f2328" },
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14, fontWeight: 600, color: "#1f2328" } },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : fmt(v); } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 16, right: 24, top: 40, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, hideOverlap: true, color: "#404040" } },
      yAxis: {
        type: "value",
        max: spec.percent ? function (v) { return Math.max(1, Math.ceil(v.max * 10) / 10); } : null,
        axisLabel: { color: "#404040", formatter: spec.percent ? function (v) { return Math.round(v * 100) + "%"; } : function (v) { return num(v); } }
      },
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: line ? "line" : "bar", data: s.data, stack: spec.stacked ? "total" : undefined,
          connectNulls: false, symbolSize: 6, barMaxWidth: 48, emphasis: { focus: "series" }
        };
      })
    };
  }

  function draw(el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
    if (!spec || !spec.categories || !spec.categories.length) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    chart.setOption(option(spec));
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("div.chart[data-chart]"), draw);
  });
}());
