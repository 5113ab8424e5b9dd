// The inline loader snippet (dist/loader.min.js), pasted as
//   <script data-collector="https://..." data-src="/path/sightline.js">…</script>
// It makes `Sightline.*` callable at once (calls are queued), records error and rejection events
// from this moment with addEventListener (so an existing window.onerror keeps working untouched),
// and loads the SDK. If the SDK script or its wasm cannot load, it posts the buffered errors itself.
(function (w, d) {
  var s = d.currentScript, data = s.dataset, S = (w.Sightline = {}), q = (S.q = []), e = (S.e = []), fallen;
  function rec(ev) {
    if (e.length < 50) e.push([ev, Date.now()]);
    if (fallen) S.f();
  }
  w.addEventListener('error', rec, true);
  w.addEventListener('unhandledrejection', rec);
  'init captureError captureMessage setUser setTag flush stats shutdown'.split(' ').forEach(function (m) {
    S[m] = function () {
      q.push([m, arguments]);
    };
  });
  if (data.collector) S.init({ collector: data.collector });
  // stop: the SDK has taken over
  S.s = function () {
    w.removeEventListener('error', rec, true);
    w.removeEventListener('unhandledrejection', rec);
  };
  // fall back: send what was buffered (and, from now on, each new error) without the SDK
  S.f = function () {
    fallen = 1;
    try {
      var c, sid, i, errs = [];
      for (i = 0; i < q.length; i++) if (q[i][0] == 'init' && q[i][1][0]) c = q[i][1][0];
      if (!c || !e.length) return;
      try { sid = sessionStorage.getItem('sightline:session').split('.')[0]; } catch (x) {}
      e.splice(0).forEach(function (x) {
        var ev = x[0], r = ev.type == 'unhandledrejection', er = r ? ev.reason : ev.error, t = ev.target;
        try {
          errs.push({
            type: r ? 'promise_rejection' : t && t != w ? 'resource_error' : 'javascript',
            name: (er && er.name) || '',
            message: String(t && t != w ? 'Failed to load ' + t.tagName.toLowerCase() + ': ' + (t.src || t.href) : er && er.message || ev.message || er).slice(0, 1000),
            stack: er && er.stack ? String(er.stack).slice(0, 8000) : null,
            timestamp: new Date(x[1]).toISOString(),
            url: location.href,
            userAgent: navigator.userAgent,
            sessionId: sid || null
          });
        } catch (x) {}
      });
      var ep = (c.endpoints && c.endpoints.errors) || '/api/errors';
      navigator.sendBeacon(/:\/\//.test(ep) ? ep : c.collector.replace(/\/$/, '') + ep, JSON.stringify({
        errors: errs, sdk: { name: 'sightline-loader', version: '0.1.0' }, sessionId: sid || '', sentAt: new Date().toISOString()
      }));
    } catch (x) {}
  };
  var t = d.createElement('script');
  t.async = true;
  t.src = data.src;
  t.onerror = S.f;
  d.head.appendChild(t);
})(window, document);
