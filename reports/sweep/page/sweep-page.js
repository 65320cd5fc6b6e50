// The charts of sweep.html, drawn in the browser from the JSON the page embeds
// (reports/sweep/sweep-page-data.ts says what it holds). Plain JavaScript for any current
// browser, no modules and no network: reports/sweep/render-sweep-html.ts inlines this file
// after uPlot. For tests, window.__pinbench.charts lists every chart with the points it drew,
// as the run report's page does; a chart without data says "not in this sweep" with the reason.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pinbench-sweep-data').textContent);
  var charts = [];
  window.__pinbench = { charts: charts, ready: false };

  // Ten colours, then the same ten dashed, then dotted: a 5 × 5 × 4 grid has 20 series.
  var COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
  var DASHES = [[], [6, 3], [2, 3]];
  var HEIGHT = 230;
  var series = data.series;
  var plots = [];
  var hidden = series.map(function () { return false; });

  function colorOf(k) { return COLORS[k % COLORS.length]; }
  function dashOf(k) { return DASHES[Math.floor(k / COLORS.length) % DASHES.length]; }

  // Decimals by magnitude, as reports/sweep/sweep-format.ts writes the table.
  function decimals(v) {
    var a = Math.abs(v);
    if (a === 0 || a >= 1000) return 0;
    if (a >= 100) return 1;
    if (a >= 10) return 2;
    if (a >= 1) return 3;
    return Math.min(8, Math.ceil(-Math.log10(a)) + 2);
  }
  function fmt(v, d) {
    if (typeof v !== 'number' || !isFinite(v)) return '–';
    d = d === undefined ? decimals(v) : d;
    return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  // y from the lowest min to the highest max, so every whisker fits; from 0 when that is near.
  function yRange(c) {
    var lo = Infinity, hi = -Infinity;
    [c.min, c.max, c.mean].forEach(function (rows) {
      rows.forEach(function (row, k) {
        if (hidden[k]) return;
        row.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } });
      });
    });
    if (!isFinite(lo)) return [0, 1];
    // A constraint's bound near the data is brought into view, so its line shows where sets pass.
    var near = Math.max(hi - lo, Math.abs(hi) * 0.1) * 0.5;
    c.bounds.forEach(function (b) {
      if (b.bound >= lo - near && b.bound <= hi + near) { lo = Math.min(lo, b.bound); hi = Math.max(hi, b.bound); }
    });
    if (lo >= 0 && lo < 0.35 * hi) lo = 0;
    // All one value: 0 (a metric nobody earned) on [0, 1], else ±10 % around it.
    if (hi === lo) return hi === 0 ? [0, 1] : [lo - Math.abs(hi) * 0.1, hi + Math.abs(hi) * 0.1];
    var span = hi - lo;
    return [lo === 0 ? 0 : lo - span * 0.08, hi + span * 0.08];
  }

  function xRange() {
    var xs = data.x.x;
    if (!data.x.numeric) return [-0.5, xs.length - 0.5];
    var lo = xs[0], hi = xs[xs.length - 1];
    var pad = hi === lo ? Math.max(1, Math.abs(hi) * 0.1) : (hi - lo) * 0.06;
    return [lo - pad, hi + pad];
  }

  // A y axis as wide as its longest tick label, measured on every layout pass: the ticks of the
  // first pass can be shorter than the last ("0.25" then "0.225"), which cut the label's first digit.
  function fitTicks(u, values, axisIndex) {
    var axis = u.axes[axisIndex];
    var longest = (values || []).reduce(function (a, v) { return String(v).length > a.length ? String(v) : a; }, '');
    u.ctx.font = axis.font[0];
    return Math.ceil(axis.ticks.size + axis.gap + u.ctx.measureText(longest).width / (window.devicePixelRatio || 1) + 4);
  }

  function frame(i) { return document.querySelector('#chart-m' + i + ' .plot'); }
  function readout(i) { return document.querySelector('#chart-m' + i + ' .readout'); }

  // Series side by side around each x, a few pixels apart, so whiskers of one grid value do not hide each other.
  function dodge(u, visible) {
    var xs = data.x.x;
    var gap = Infinity;
    for (var i = 1; i < xs.length; i++) gap = Math.min(gap, u.valToPos(xs[i], 'x', true) - u.valToPos(xs[i - 1], 'x', true));
    if (!isFinite(gap)) gap = u.bbox.width / 2;
    var step = Math.min(7 * uPlot.pxRatio, (gap * 0.5) / Math.max(1, visible.length));
    var out = {};
    visible.forEach(function (k, j) { out[k] = (j - (visible.length - 1) / 2) * step; });
    return out;
  }

  // Lines, whiskers (thin: min–max, thick: ±1 sd) and dots, drawn here rather than by uPlot,
  // which draws nothing itself (paths return null) but keeps the scales, axes and cursor.
  function drawSpread(c, record) {
    return function (u) {
      var ctx = u.ctx;
      var r = uPlot.pxRatio;
      var visible = series.map(function (_, k) { return k; }).filter(function (k) { return !hidden[k]; });
      var off = dodge(u, visible);
      var xs = data.x.x;
      var drawn = 0;
      var ring = null;
      // Many series' whiskers overlap: fainter, so the means stay readable.
      var faint = visible.length > 4 ? 0.45 : 1;
      drawBounds(u, c);
      // Not clipped to the plot: the y range holds every whisker (and the chart does not zoom),
      // and a dot at 0 on the bottom edge shows whole.
      ctx.save();
      visible.forEach(function (k) {
        var color = colorOf(k);
        var px = function (i) { return u.valToPos(xs[i], 'x', true) + off[k]; };
        var py = function (v) { return u.valToPos(v, 'y', true); };
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.setLineDash(dashOf(k).map(function (d) { return d * r; }));
        ctx.lineWidth = 1.5 * r;
        ctx.beginPath();
        var open = false;
        c.mean[k].forEach(function (v, i) {
          if (v === null) { open = false; return; }
          if (open) ctx.lineTo(px(i), py(v)); else ctx.moveTo(px(i), py(v));
          open = true;
        });
        ctx.stroke();
        ctx.setLineDash([]);
        c.mean[k].forEach(function (v, i) {
          if (v === null) return;
          var x = px(i);
          var lo = c.min[k][i], hi = c.max[k][i], sd = c.sd[k][i];
          ctx.globalAlpha = 0.75 * faint;
          if (lo !== null && hi !== null) {
            ctx.lineWidth = 1 * r;
            ctx.beginPath();
            ctx.moveTo(x, py(lo)); ctx.lineTo(x, py(hi));
            ctx.moveTo(x - 2.5 * r, py(lo)); ctx.lineTo(x + 2.5 * r, py(lo));
            ctx.moveTo(x - 2.5 * r, py(hi)); ctx.lineTo(x + 2.5 * r, py(hi));
            ctx.stroke();
          }
          if (sd !== null && sd > 0) {
            ctx.globalAlpha = 0.45 * faint;
            ctx.fillRect(x - 2 * r, py(v + sd), 4 * r, py(v - sd) - py(v + sd));
          }
          ctx.globalAlpha = 1;
          ctx.beginPath();
          ctx.arc(x, py(v), 3 * r, 0, 2 * Math.PI);
          ctx.fill();
          drawn++;
          if (data.best && data.best.series === k && data.best.x === i) ring = [x, py(v)];
        });
      });
      // The best set's ring last, so no later series draws over it.
      if (ring) {
        ctx.strokeStyle = '#111827';
        ctx.lineWidth = 2 * r;
        ctx.beginPath();
        ctx.arc(ring[0], ring[1], 7 * r, 0, 2 * Math.PI);
        ctx.stroke();
      }
      ctx.restore();
      record.points = drawn;
    };
  }

  // Each constraint on this metric: the side where a set fails it shaded, the bound a dashed line.
  function drawBounds(u, c) {
    var ctx = u.ctx;
    var r = uPlot.pxRatio;
    var top = u.bbox.top, bottom = u.bbox.top + u.bbox.height;
    c.bounds.forEach(function (b) {
      var y = Math.max(top, Math.min(bottom, u.valToPos(b.bound, 'y', true)));
      var failsAbove = b.op === '<' || b.op === '<=';
      ctx.save();
      ctx.fillStyle = 'rgba(220, 38, 38, 0.07)';
      if (failsAbove) ctx.fillRect(u.bbox.left, top, u.bbox.width, y - top);
      else ctx.fillRect(u.bbox.left, y, u.bbox.width, bottom - y);
      if (y > top && y < bottom) {
        ctx.strokeStyle = '#b91c1c';
        ctx.lineWidth = 1 * r;
        ctx.setLineDash([5 * r, 4 * r]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = '#b91c1c';
        ctx.font = (11 * r) + 'px system-ui, sans-serif';
        ctx.textAlign = 'right';
        ctx.textBaseline = failsAbove ? 'bottom' : 'top';
        ctx.fillText(b.source, u.bbox.left + u.bbox.width - 4 * r, y + (failsAbove ? -3 : 3) * r);
      }
      ctx.restore();
    });
  }

  // Under the chart, the set nearest the cursor: its label, mean ± sd and min – max.
  function showReadout(c, i) {
    return function (u) {
      var el = readout(i);
      var idx = u.cursor.idx;
      if (idx === null || idx === undefined || u.cursor.top < 0) { el.textContent = '\u00a0'; return; }
      var yv = u.posToVal(u.cursor.top, 'y');
      var bestK = -1, bestD = Infinity;
      series.forEach(function (_, k) {
        var v = c.mean[k][idx];
        if (hidden[k] || v === null) return;
        var d = Math.abs(v - yv);
        if (d < bestD) { bestD = d; bestK = k; }
      });
      if (bestK < 0) { el.textContent = '\u00a0'; return; }
      var id = series[bestK].setIds[idx];
      var v = c.mean[bestK][idx];
      var d = decimals(v);
      var sd = c.sd[bestK][idx];
      var sdText = sd !== null && sd > 0 && sd < Math.pow(10, -d) / 2 ? '< ' + fmt(Math.pow(10, -d), d) : fmt(sd, d);
      el.textContent = data.setLabels[id] + ': ' + fmt(v, d) + ' ± ' + sdText + ' (min ' + fmt(c.min[bestK][idx]) + ', max ' + fmt(c.max[bestK][idx]) + ')';
    };
  }

  function plot(c, i) {
    var el = frame(i);
    // A sweep with no set on the grid has no frames: the page says so in one line instead.
    if (!el) return;
    var record = { id: c.id, points: 0, missing: null };
    charts.push(record);
    if (c.missing) {
      el.className += ' missing';
      el.textContent = 'not in this sweep: ' + c.missing;
      record.missing = c.missing;
      return;
    }
    var xs = data.x.x;
    var labels = data.x.values;
    var xAxis = { label: data.x.name + (data.x.log ? ' (log scale)' : ''), scale: 'x', size: 36, labelSize: 18 };
    // Ticks at the grid's own values while they fit; a long numeric axis gets uPlot's ticks.
    if (!data.x.numeric || data.x.log || xs.length <= 12) {
      xAxis.splits = function () { return xs; };
      xAxis.values = function (u, splits) { return splits.map(function (s) { var at = xs.indexOf(s); return at < 0 ? '' : labels[at]; }); };
    }
    if (!data.x.numeric) xAxis.rotate = 0;
    var uSeries = [{}].concat(series.map(function (s, k) {
      return { label: s.label || c.label, stroke: colorOf(k), scale: 'y', paths: function () { return null; }, points: { show: false } };
    }));
    var columns = [xs].concat(c.mean);
    var u = new uPlot({
      width: Math.max(300, el.clientWidth),
      height: HEIGHT,
      scales: { x: { time: false, range: xRange }, y: { range: function () { return yRange(c); } } },
      // The unit is in the chart's title: no y label, more room for the plot.
      axes: [xAxis, { scale: 'y', size: fitTicks }],
      series: uSeries,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      hooks: { draw: [drawSpread(c, record)], setCursor: [showReadout(c, i)] },
    }, columns, el);
    plots.push(u);
    readout(i).textContent = '\u00a0';
  }

  // One legend for every chart: the series are the same combinations of the other axes in all of them.
  function legend() {
    var el = document.getElementById('legend');
    if (!el || series.length < 2) return;
    series.forEach(function (s, k) {
      var item = document.createElement('button');
      item.type = 'button';
      item.className = 'series';
      var swatch = document.createElement('i');
      swatch.style.borderTop = '3px ' + (dashOf(k).length === 0 ? 'solid' : dashOf(k)[0] > 3 ? 'dashed' : 'dotted') + ' ' + colorOf(k);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.label));
      item.title = 'click to hide or show this series in every chart';
      item.addEventListener('click', function () {
        hidden[k] = !hidden[k];
        item.className = hidden[k] ? 'series off' : 'series';
        plots.forEach(function (u) { u.redraw(false, true); });
      });
      el.appendChild(item);
    });
  }

  // The sets table sorts by a column's cells' data-v, numbers as numbers; a second click reverses.
  function sortable() {
    var table = document.getElementById('sets');
    if (!table) return;
    var heads = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var numeric = th.getAttribute('data-sort') === 'num';
        var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('data-dir'); });
        th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) { return row.cells[col].getAttribute('data-v') || ''; };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (x === '' || y === '') return (x === '') - (y === '');
          if (numeric) return dir * (Number(x) - Number(y));
          var nx = Number(x), ny = Number(y);
          if (isFinite(nx) && isFinite(ny)) return dir * (nx - ny);
          return dir * x.localeCompare(y);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  data.charts.forEach(plot);
  legend();
  sortable();
  window.__pinbench.ready = true;
})();
