// The dev collector dashboard's plots: time series from GET /api/dashboard, drawn with uPlot
// (served from the project's node_modules, never a CDN). Refreshes every 10 s. Each plot's
// container says how many data points it drew (`data-points`); `window.sightlinePlots` keeps what
// was drawn, for tests.
(function () {
  const COLORS = ['#1d4ed8', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];
  // series whose meaning has a colour
  const FIXED = { healthy: '#059669', degraded: '#d97706', unhealthy: '#dc2626', unknown: '#6b7280', raised: '#dc2626', resolved: '#059669' };
  const root = document.getElementById('plots');
  const status = document.getElementById('plots-status');
  const minutes = document.getElementById('plots-minutes');
  const plots = (window.sightlinePlots = {});

  // [id, title, unit, (series) => [[label, values], ...], counts (a zero is drawn as a gap)]
  const PLOTS = [
    ['vitals', 'Web vitals, p75 (ms)', 'ms', (s) => ['lcp', 'inp', 'fcp', 'ttfb', 'fid'].map((v) => [v.toUpperCase(), s.vitals[v]])],
    ['cls', 'Cumulative layout shift, p75', '', (s) => [['CLS', s.vitals.cls]]],
    ['errors', 'Errors by type', 'errors', (s) => Object.entries(s.errors), true],
    ['error-rate', 'Request error rate', '', (s) => [['error rate', s.requests.errorRate]]],
    ['latency', 'Request latency (ms)', 'ms', (s) => [['average', s.requests.latency], ['p95 (slowest page)', s.requests.p95]]],
    ['health', 'Health status reports', 'reports', (s) => ['healthy', 'degraded', 'unhealthy', 'unknown'].map((k) => [k, s.health[k]]), true],
    ['alerts', 'Alerts', 'alerts', (s) => [['raised', s.alerts.raised], ['resolved', s.alerts.resolved]], true],
    ['sessions', 'Sessions and page views', '', (s) => [['sessions', s.sessions.sessions], ['page views', s.sessions.pageViews]], true],
  ];

  function draw(series) {
    const width = Math.max(320, Math.min(560, root.clientWidth / 2 - 24));
    for (const [id, title, unit, pick, counts] of PLOTS) {
      // zero counts are drawn as gaps: a plot then shows where something happened
      const lines = pick(series).map(([label, values]) => [label, values.map((v) => (v === undefined || (counts && v === 0) ? null : v))]);
      const data = [series.time, ...lines.map((l) => l[1])];
      const points = lines.reduce((n, l) => n + l[1].filter((v) => v !== null).length, 0);
      let box = document.getElementById('plot-' + id);
      if (!box) {
        box = document.createElement('figure');
        box.id = 'plot-' + id;
        box.className = 'plot';
        const caption = document.createElement('figcaption');
        caption.textContent = title;
        box.appendChild(caption);
        root.appendChild(box);
      }
      box.dataset.points = String(points);
      if (plots[id]) plots[id].chart.destroy();
      box.querySelector('.empty')?.remove();
      const chart = new uPlot(
        {
          width,
          height: 220,
          scales: { x: { time: true } },
          axes: [{}, { label: unit, size: 60 }],
          series: [{}, ...lines.map(([label], i) => ({ label, stroke: FIXED[label] || COLORS[i % COLORS.length], width: 2, spanGaps: true, points: { show: true, size: 6 } }))],
          legend: { live: false },
        },
        data,
        box,
      );
      if (!points) {
        const empty = document.createElement('p');
        empty.className = 'empty';
        empty.textContent = 'no data in this period';
        box.appendChild(empty);
      }
      plots[id] = { title, labels: lines.map((l) => l[0]), data, points, chart };
    }
  }

  async function refresh() {
    try {
      const r = await fetch('/api/dashboard?minutes=' + encodeURIComponent(minutes.value));
      const series = await r.json();
      draw(series);
      status.textContent = 'updated ' + new Date().toLocaleTimeString() + ', buckets of ' + series.step / 1000 + ' s';
      document.body.dataset.plotsReady = '1';
    } catch (e) {
      status.textContent = 'could not load /api/dashboard: ' + e;
    }
  }

  minutes.addEventListener('change', refresh);
  refresh();
  setInterval(refresh, 10000);
})();
