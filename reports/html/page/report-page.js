// The charts of report.html, drawn in the browser from the JSON the page embeds
// (reports/html/page-data.ts says what it holds). Plain JavaScript for any current browser,
// no modules and no network: reports/html/render-html.ts inlines this file after uPlot.
// For tests, window.__pinbench.charts lists every chart with the points it drew; a chart
// without data draws nothing and says "not in this report" with the reason.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pinbench-data').textContent);
  var charts = [];
  window.__pinbench = { charts: charts, ready: false };

  var COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
  var HEIGHT = 220;

  function frame(id) {
    return document.querySelector('#chart-' + id + ' .plot');
  }

  // The entry is made once; a uPlot chart updates its count each time it draws.
  function entry(id) {
    var found = charts.filter(function (c) { return c.id === id; })[0];
    if (!found) {
      found = { id: id, points: 0, missing: null };
      charts.push(found);
    }
    return found;
  }

  function missing(id, why) {
    var el = frame(id);
    el.className += ' missing';
    el.textContent = 'not in this report: ' + why;
    entry(id).missing = why;
  }

  function countPoints(columns) {
    var n = 0;
    for (var s = 1; s < columns.length; s++) {
      for (var i = 0; i < columns[s].length; i++) if (typeof columns[s][i] === 'number' && isFinite(columns[s][i])) n++;
    }
    return n;
  }

  // A y axis as wide as its longest tick label (uPlot's fixed width lets "200,000" run into the axis label).
  function fitTicks(u, values, axisIndex, cycle) {
    var axis = u.axes[axisIndex];
    if (cycle > 1) return axis._size;
    var longest = (values || []).reduce(function (a, v) { return String(v).length > a.length ? String(v) : a; }, '');
    u.ctx.font = axis.font[0];
    return Math.ceil(axis.ticks.size + axis.gap + u.ctx.measureText(longest).width / (window.devicePixelRatio || 1) + 4);
  }

  // series: [{ label, values, color, scale?, bars? }]; x: numbers.
  function plot(id, x, series, options) {
    if (data.missing[id]) return missing(id, data.missing[id]);
    options = options || {};
    var el = frame(id);
    var columns = [x].concat(series.map(function (s) { return s.values; }));
    var scales = { x: { time: false } };
    if (options.xRange) scales.x.range = options.xRange;
    var axes = [{ label: options.xLabel || 'wall s since the fleet started' }];
    if (options.xIncrs) axes[0].incrs = options.xIncrs;
    var scaleNames = [];
    series.forEach(function (s) {
      var name = s.scale || 'y';
      if (scaleNames.indexOf(name) < 0) {
        scaleNames.push(name);
        scales[name] = { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.05 : 1]; } };
        axes.push({ scale: name, label: (options.yLabels || {})[name] || '', side: scaleNames.length === 1 ? 3 : 1, grid: { show: scaleNames.length === 1 }, size: fitTicks });
      }
    });
    var uSeries = [{}].concat(series.map(function (s, i) {
      var color = s.color || COLORS[i % COLORS.length];
      var out = { label: s.label, stroke: color, width: 1.5, scale: s.scale || 'y', spanGaps: false, points: { show: x.length < 60 } };
      if (s.bars) {
        out.paths = uPlot.paths.bars({ size: [0.8, 40] });
        out.fill = color + 'aa';
        out.points = { show: false };
      }
      if (s.dash) out.dash = s.dash;
      return out;
    }));
    var record = entry(id);
    new uPlot({
      width: Math.max(300, el.clientWidth),
      height: HEIGHT,
      scales: scales,
      axes: axes,
      series: uSeries,
      legend: { live: false },
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [function (u) { record.points = countPoints(u.data); }] },
    }, columns, el);
  }

  var t = data.timeline;
  var tS = t ? t.tS : [];
  plot('throughput', tS, [
    { label: 'published/s', values: t && t.publishedPerS },
    { label: 'accepted/s', values: t && t.acceptedPerS },
  ], { yLabels: { y: 'readings/s' } });
  plot('latency', tS, t && t.latencyMs ? [
    { label: 'p50', values: t.latencyMs.p50 },
    { label: 'p95', values: t.latencyMs.p95 },
    { label: 'p99', values: t.latencyMs.p99 },
  ] : [], { yLabels: { y: 'ms' } });
  plot('states', tS, t ? Object.keys(t.states).map(function (state) { return { label: state, values: t.states[state] }; }) : [], { yLabels: { y: 'devices' } });
  plot('connections', tS, [{ label: 'connections', values: t && t.connections }], { yLabels: { y: 'connections' } });
  plot('resources', tS, [
    { label: 'CPU %', values: t && t.cpuPercent, scale: 'cpu' },
    { label: 'RSS MiB', values: t && t.rssMb, scale: 'mb' },
  ], { yLabels: { cpu: '% of a core', mb: 'MiB' } });
  var lagSeries = [{ label: 'event-loop lag p99', values: t && t.loopLagP99Ms }];
  if (t && t.timerLatenessP99Ms && t.timerLatenessP99Ms.some(function (v) { return v !== null; })) {
    lagSeries.push({ label: 'timer lateness p99', values: t.timerLatenessP99Ms });
  }
  plot('lag', tS, lagSeries, { yLabels: { y: 'ms' } });

  var b = data.batches;
  var batchX = b.label.map(function (_, i) { return i + 1; });
  var batchAxis = { xLabel: 'batch, in settlement order', xIncrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000], xRange: function (u, min, max) { return [min - 0.5, max + 0.5]; } };
  plot('proof-times', batchX, [{ label: 'prove s', values: b.proveMs.map(function (v) { return v / 1000; }), bars: true }], Object.assign({ yLabels: { y: 's' } }, batchAxis));
  plot('proof-queue', tS, t && t.proofs ? [
    { label: 'waiting', values: t.proofs.queued },
    { label: 'proving', values: t.proofs.proving },
  ] : [], { yLabels: { y: 'jobs' } });
  plot('gas', batchX, [{ label: 'gas', values: b.gasUsed, bars: true, color: COLORS[4] }], Object.assign({ yLabels: { y: 'gas' } }, batchAxis));

  var r = data.rewards;
  if (r) {
    var w = r.histogram.binWidthToken;
    var centres = r.histogram.counts.map(function (_, i) { return (i + 0.5) * w; });
    plot('reward-histogram', centres, [{ label: 'devices', values: r.histogram.counts, bars: true, color: COLORS[1] }], {
      xLabel: 'reward per device (PINR)',
      xRange: function () { return [0, w > 0 ? w * r.histogram.counts.length : 1]; },
      yLabels: { y: 'devices' },
    });
    plot('lorenz', r.lorenz.map(function (p) { return p[0]; }), [
      { label: 'Lorenz curve', values: r.lorenz.map(function (p) { return p[1]; }) },
      { label: 'equal split', values: r.lorenz.map(function (p) { return p[0]; }), color: '#9ca3af', dash: [4, 4] },
    ], { xLabel: 'share of devices, poorest first', xRange: function () { return [0, 1]; }, yLabels: { y: 'share of rewards' } });
  } else {
    missing('reward-histogram', data.missing['reward-histogram']);
    missing('lorenz', data.missing.lorenz);
  }

  drawMap();
  window.__pinbench.ready = true;

  // Equirectangular with its standard parallel through the middle of the box, so distances
  // east-west look as long as north-south there; enough for a city or a country, and no tiles.
  function drawMap() {
    var id = 'map';
    if (data.missing[id]) return missing(id, data.missing[id]);
    var m = data.tracks;
    var west = m.bounds[0], south = m.bounds[1], east = m.bounds[2], north = m.bounds[3];
    var k = Math.cos(((south + north) / 2) * Math.PI / 180);
    var spanX = Math.max((east - west) * k, 1e-9);
    var spanY = Math.max(north - south, 1e-9);
    var el = frame(id);
    var width = Math.max(300, el.clientWidth);
    var pad = 12;
    var scale = Math.min((width - 2 * pad) / spanX, 560 / spanY);
    var height = Math.max(120, Math.round(spanY * scale + 2 * pad));
    var offsetX = (width - spanX * scale) / 2;
    var offsetY = (height - spanY * scale) / 2;
    var ratio = window.devicePixelRatio || 1;
    var canvas = document.createElement('canvas');
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + 'px';
    canvas.style.height = height + 'px';
    el.appendChild(canvas);
    var ctx = canvas.getContext('2d');
    ctx.scale(ratio, ratio);
    ctx.fillStyle = '#f8fafc';
    ctx.fillRect(0, 0, width, height);
    var g = m.grid;
    function px(cellX) { return offsetX + ((cellX / g) * (east - west)) * k * scale; }
    function py(cellY) { return height - offsetY - ((cellY / g) * (north - south)) * scale; }
    // Thousands of tracks overlap: drawn faint, so where many go shows darker.
    var many = m.tracks.length > 200;
    var kinds = [
      { name: 'device', test: function (f) { return f === 0; }, color: many ? 'rgba(37, 99, 235, 0.35)' : 'rgba(37, 99, 235, 0.8)', width: many ? 1 : 1.5 },
      { name: 'flagged by the detection rules', test: function (f) { return (f & 1) !== 0 && (f & 2) === 0; }, color: '#dc2626', width: 1.5 },
      { name: 'attached real device', test: function (f) { return (f & 2) !== 0; }, color: '#16a34a', width: 3 },
    ];
    var drawn = 0;
    var counts = kinds.map(function () { return 0; });
    // Ordinary devices first, then flagged ones, then real devices, so the marked ones stay on top.
    kinds.forEach(function (kind, ki) {
      ctx.strokeStyle = kind.color;
      ctx.fillStyle = kind.color;
      ctx.lineWidth = kind.width;
      ctx.lineJoin = 'round';
      m.tracks.forEach(function (row) {
        if (!kind.test(row[0])) return;
        counts[ki]++;
        var x = 0, y = 0, n = 0;
        ctx.beginPath();
        for (var i = 2; i < row.length; i += 2) {
          x += row[i];
          y += row[i + 1];
          if (n === 0) ctx.moveTo(px(x), py(y)); else ctx.lineTo(px(x), py(y));
          n++;
        }
        if (n > 1) ctx.stroke();
        // A dot where the device was last: a short or stationary track is still seen.
        var r = ki === 0 && many ? 1 : kind.width + 1.5;
        ctx.fillRect(px(x) - r, py(y) - r, 2 * r, 2 * r);
        drawn += n;
      });
    });
    var legend = document.createElement('div');
    legend.className = 'legend';
    kinds.forEach(function (kind, ki) {
      if (ki > 0 && counts[ki] === 0) return;
      var item = document.createElement('span');
      var swatch = document.createElement('i');
      swatch.style.background = kind.color;
      item.appendChild(swatch);
      var label = kind.name + ' (' + counts[ki].toLocaleString('en-US') + ')';
      if (ki === 2 && m.attachedIds.length > 0) label += ': ' + m.attachedIds.join(', ');
      item.appendChild(document.createTextNode(label));
      legend.appendChild(item);
    });
    var box = document.createElement('span');
    box.appendChild(document.createTextNode('box ' + [west, south, east, north].map(function (v) { return v.toFixed(4); }).join(', ') + ' (W, S, E, N)'));
    legend.appendChild(box);
    el.appendChild(legend);
    entry(id).points = drawn;
  }
})();
