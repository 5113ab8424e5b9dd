// The inline loader snippet (dist/loader.min.js), pasted as
//   <script data-collector="https://..." data-src="/path/sightline.js">…</script>
// It makes `Sightline.*` callable at once, records error and rejection events from this moment
// into the same queue (addEventListener, so an existing window.onerror keeps working untouched),
// and loads the SDK, which replays the queue in order. If the SDK script or its wasm cannot load,
// the snippet posts the buffered errors itself, and each later one.
(function (w, d) {
  var s = d.currentScript, data = s.dataset, S = (w.Sightline = {}), q = (S.q = []), n = 0, fallen;
  function rec(ev) {
    if (n++ < 100) q.push(['_replay', [ev, Date.now()]]);
    if (fallen) S.f();
  }
  w.addEventListener('error', rec, true);
  w.addEventListener('unhandledrejection', rec);
  'init captureError captureMessage setUser setTag flush stats sessionSummary snapshot registerHealthCheck runHealthChecks onAlert resolveAlert shutdown'.split(' ').forEach(function (m) {
    S[m] = function () {
      q.push([m, arguments]);
    };
  });
  if (data.collector) S.init({ collector: data.collector });
  // stop: the SDK has taken over
  S.s = function () {
    w.removeEventListener('error', rec, true);
    w.removeEventListener('unhandledrejection', rec);
    w.removeEventListener('pagehide', S.f);
  };
  // fall back: send the buffered errors not sent yet (and, from now on, each new one) without the SDK
  S.f = function () {
    fallen = 1;
    try {
      var c, sid, errs = [];
      q.forEach(function (x) {
        if (x[0] == 'init' && x[1][0]) c = x[1][0];
      });
      try { sid = sessionStorage.getItem('sightline:session').split('.')[0]; } catch (x) {}
      q.forEach(function (x) {
        if (x[0] != '_replay' || x[2]) return;
        x[2] = 1;
        var ev = x[1][0], r = ev.type == 'unhandledrejection', er = r ? ev.reason : ev.error, t = ev.target;
        try {
          errs.push({
            type: r ? 'promise_rejection' : t && t != w ? 'resource_error' : 'javascript',
            name: (er && er.name) || '',
            message: String(t && t != w ? 'Failed to load ' + t.tagName.toLowerCase() + ': ' + (t.src || t.href) : er && er.message || ev.message || er).slice(0, 1000),
            stack: er && er.stack ? String(er.stack).slice(0, 8000) : null,
            timestamp: new Date(x[1][1]).toISOString(),
            url: location.href,
            userAgent: navigator.userAgent,
            sessionId: sid || null
          });
        } catch (x) {}
      });
      if (!c || !errs.length) return;
      var ep = (c.endpoints && c.endpoints.errors) || '/api/errors';
      navigator.sendBeacon(/:\/\//.test(ep) ? ep : c.collector.replace(/\/$/, '') + ep, JSON.stringify({
        errors: errs, sdk: { name: 'sightline-loader', version: '0.1.0' }, sessionId: sid || '', sentAt: new Date().toISOString()
      }));
    } catch (x) {}
  };
  // the page goes away before the SDK has loaded: send what was buffered ourselves
  w.addEventListener('pagehide', S.f);
  var t = d.createElement('script'), src = data.src, tt = w.trustedTypes;
  t.async = true;
  t.onerror = S.f;
  try {
    // Trusted Types: the script URL goes through a policy named 'sightline' (the page's CSP must
    // allow it: `trusted-types sightline`), which passes this one URL and nothing else
    if (tt && tt.createPolicy) src = tt.createPolicy('sightline', { createScriptURL: function (u) { return u === data.src ? u : ''; } }).createScriptURL(src);
    t.src = src;
    d.head.appendChild(t);
  } catch (x) {
    S.f(); // no policy (a CSP that does not allow it, or a name taken): the snippet delivers by itself
  }
})(window, document);
