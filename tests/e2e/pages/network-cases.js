// The transparency cases of tests/e2e/network.test.mjs: each returns what an application can
// observe of fetch or XMLHttpRequest. The test runs them in a page without Sightline and in one
// with it, and requires the same results. A "library" that wrapped fetch before Sightline loaded
// (window.__spy, set up in network.html) records the promises and results the native gave.
(function () {
  const port = location.port;
  const api = (q) => '/__test/' + q;
  const settle = (p) =>
    p.then(
      (v) => ({ ok: true, v }),
      (e) => ({ ok: false, e }),
    );
  const describeError = (e) => ({
    name: e && e.name,
    message: e && e.message,
    type: e && e.constructor && e.constructor.name,
  });
  const describeResponse = async (r, read = true) => ({
    status: r.status,
    statusText: r.statusText,
    ok: r.ok,
    type: r.type,
    redirected: r.redirected,
    url: r.url.replace(port, 'PORT'),
    isResponse: Object.getPrototypeOf(r) === Response.prototype,
    contentType: r.headers.get('content-type'),
    bodyUsedBefore: r.bodyUsed,
    body: read ? await r.text() : null,
  });
  // Runs a fetch and describes what came back, and whether the wrapper chain gave the very objects
  // the native fetch produced (the spy library below Sightline saw them).
  const call = async (...args) => {
    let sync = null;
    let p;
    try {
      p = fetch(...args);
    } catch (e) {
      sync = describeError(e);
    }
    if (sync) return { threw: sync };
    // a real promise (not necessarily the native's own: Sightline returns one chained on it)
    const isPromise = p instanceof Promise && Object.getPrototypeOf(p) === Promise.prototype;
    const r = await settle(p);
    if (r.ok) {
      return { isPromise, sameResponse: r.v === __spy.results[__spy.results.length - 1], response: await describeResponse(r.v) };
    }
    return { isPromise, sameError: r.e === __spy.results[__spy.results.length - 1], error: describeError(r.e) };
  };
  // Starts what `start` does and waits for the page's unhandledrejection events (the first, then
  // a moment for any other); describes them. preventDefault keeps them out of the console.
  const unhandled = (start) =>
    new Promise((resolve) => {
      const seen = [];
      const on = (ev) => {
        ev.preventDefault();
        seen.push(ev.reason);
        setTimeout(finish, 300);
      };
      const finish = () => {
        removeEventListener('unhandledrejection', on);
        // the very error the native fetch rejected with (the abort's: the reason the page gave)
        const same = __spy.results.includes(seen[0]) || (seen[0] instanceof Error && seen[0].message === 'gone');
        resolve({ raised: seen.length, sameError: same, error: seen[0] && describeError(seen[0]) });
      };
      addEventListener('unhandledrejection', on);
      start();
      setTimeout(finish, 5000); // none came
    });
  const echo = (r) => (r.response ? { ...r, response: { ...r.response, body: JSON.parse(r.response.body) } } : r);

  // An XMLHttpRequest with every event recorded in order: [event, readyState, status].
  const xhr = (setup, send = [], { before = true } = {}) =>
    new Promise((resolve) => {
      const x = new XMLHttpRequest();
      const log = [];
      const types = ['readystatechange', 'loadstart', 'progress', 'load', 'error', 'abort', 'timeout', 'loadend'];
      const rec = (ev) => log.push([ev.type, x.readyState, ev.type === 'readystatechange' ? x.status : undefined].filter((v) => v !== undefined).join(':'));
      if (before) types.forEach((t) => x.addEventListener(t, rec));
      const up = [];
      ['loadstart', 'progress', 'load', 'loadend', 'error', 'abort', 'timeout'].forEach((t) => x.upload.addEventListener(t, (ev) => up.push(ev.type)));
      let threw = null;
      try {
        setup(x);
        if (!before) types.forEach((t) => x.addEventListener(t, rec));
        x.addEventListener('loadend', () => setTimeout(done));
        x.send(...send);
      } catch (e) {
        threw = describeError(e);
        setTimeout(done);
      }
      function done() {
        let response;
        try {
          const r = x.response;
          response = r instanceof ArrayBuffer ? 'ArrayBuffer:' + r.byteLength : r instanceof Blob ? 'Blob:' + r.size : r instanceof Document ? 'Document:' + r.documentElement.nodeName : typeof r === 'object' && r !== null ? JSON.stringify(r) : String(r);
        } catch (e) {
          response = 'throws:' + e.name;
        }
        resolve({ threw, log: dedupeProgress(log), upload: dedupeProgress(up), status: x.status, responseType: x.responseType, response, headers: x.getResponseHeader('content-type') });
      }
    });
  // progress may fire a variable number of times: keep one of each run
  const dedupeProgress = (log) => log.filter((e, i) => !(e.startsWith('progress') && log[i - 1] === e));

  window.__cases = {
    'fetch: string URL, 200': () => call(api('status?status=200')),
    'fetch: 404 and 500 resolve, not reject': async () => [await call(api('status?status=404')), await call(api('status?status=500'))],
    'fetch: URL object': () => call(new URL(api('status?status=200'), location.href)),
    'fetch: Request with a body': async () => echo(await call(new Request(api('echo'), { method: 'POST', body: 'hello body', headers: { 'content-type': 'text/x-test' } }))),
    'fetch: init with signal, keepalive, credentials, cache': async () =>
      echo(await call(api('echo'), { method: 'PUT', body: 'x'.repeat(100), signal: new AbortController().signal, keepalive: true, credentials: 'include', cache: 'no-store', headers: { tracestate: 'vendor=1' } })),
    'fetch: redirect manual and follow': async () => [await call('/examples/script-tag', { redirect: 'manual' }), (await call('/examples/script-tag', { redirect: 'follow' })).response.redirected],
    'fetch: streaming request body (duplex half)': async () => {
      const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('streamed')); c.close(); } });
      return echo(await call(api('echo'), { method: 'POST', body, duplex: 'half' }));
    },
    'fetch: abort with a reason rejects with that very reason': async () => {
      const c = new AbortController();
      const reason = { mine: true };
      const p = fetch(api('status?status=200&delay=2000'), { signal: c.signal });
      c.abort(reason);
      const r = await settle(p);
      return { rejected: !r.ok, same: r.e === reason };
    },
    // what a page that never catches a failed fetch sees: its own unhandledrejection, with the error
    'fetch: an uncaught failure raises unhandledrejection with the very error': () => unhandled(() => fetch(`http://127.0.0.1:${window.__closedPort}/unhandled`)),
    'fetch: an uncaught failure after then() raises it too': () => unhandled(() => fetch(`http://127.0.0.1:${window.__closedPort}/unhandled-then`).then((r) => r.status)),
    'fetch: an uncaught abort raises it with the reason': () =>
      unhandled(() => {
        const c = new AbortController();
        fetch(api('status?status=200&delay=2000'), { signal: c.signal });
        c.abort(new Error('gone'));
      }),
    'fetch: abort without a reason is an AbortError': async () => {
      const c = new AbortController();
      const p = call(api('status?status=200&delay=2000'), { signal: c.signal });
      setTimeout(() => c.abort(), 50);
      return p;
    },
    'fetch: a refused connection is a TypeError': () => call(`http://127.0.0.1:${window.__closedPort}/nothing`),
    'fetch: invalid arguments': async () => [
      await call(),
      await call('http://['),
      await call(api('echo'), { method: 'GET', body: 'x' }),
      await call(api('echo'), { method: 'bad method' }),
      await (async () => {
        try {
          const p = fetch.call({}, api('status?status=200'));
          return { returned: p instanceof Promise, r: await settle(p).then((r) => (r.ok ? 'resolved' : describeError(r.e))) };
        } catch (e) {
          return { threw: describeError(e) };
        }
      })(),
    ],
    'fetch: a streaming response arrives chunk by chunk': async () => {
      const r = await fetch(api('stream?chunks=4&interval=400'));
      const reader = r.body.getReader();
      const at = [];
      const t0 = performance.now();
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        at.push(performance.now() - t0);
        text += new TextDecoder().decode(value);
      }
      return { text, chunks: at.length, spread: at[at.length - 1] - at[0] > 800 };
    },
    'fetch: cancelling a streaming response releases the connection': async () => {
      // six cancelled streams (the browser's connection limit per host), then a normal request
      for (let i = 0; i < 6; i++) {
        const r = await fetch(api('stream?chunks=20&interval=1000'));
        const reader = r.body.getReader();
        await reader.read();
        await reader.cancel();
      }
      const t0 = performance.now();
      const r = await fetch(api('status?status=200'));
      return { status: r.status, quick: performance.now() - t0 < 3000 };
    },
    'fetch: the function looks native': () => ({ name: fetch.name, length: fetch.length, type: typeof fetch }),
    'xhr: 200 event order': () => xhr((x) => x.open('GET', api('status?status=200'))),
    'xhr: 500 event order': () => xhr((x) => x.open('GET', api('status?status=500'))),
    'xhr: network error': () => xhr((x) => x.open('GET', `http://127.0.0.1:${window.__closedPort}/nothing`)),
    'xhr: abort': () => xhr((x) => { x.open('GET', api('status?status=200&delay=2000')); setTimeout(() => x.abort(), 50); }),
    'xhr: timeout': () => xhr((x) => { x.open('GET', api('status?status=200&delay=2000')); x.timeout = 200; }),
    'xhr: synchronous': () => xhr((x) => x.open('GET', api('status?status=200'), false)),
    'xhr: upload events': () => xhr((x) => x.open('POST', api('echo')), ['u'.repeat(200000)]),
    'xhr: responseType json, arraybuffer, blob, document, text': async () => {
      const out = [];
      for (const t of ['json', 'arraybuffer', 'blob', 'document', 'text', '']) {
        out.push(await xhr((x) => { x.open('GET', t === 'document' ? '/test-pages/elsewhere.html' : api('status?status=200')); x.responseType = t; }));
      }
      return out;
    },
    'xhr: withCredentials and overrideMimeType': () => xhr((x) => { x.open('GET', api('status?status=200')); x.withCredentials = true; x.overrideMimeType('text/plain'); }),
    'xhr: listeners added after open': () => xhr((x) => x.open('GET', api('status?status=404')), [], { before: false }),
    'xhr: send before open throws the same': () => xhr(() => {}),
    'xhr: methods look native': () => ['open', 'send', 'setRequestHeader'].map((m) => [m, XMLHttpRequest.prototype[m].name, XMLHttpRequest.prototype[m].length]),
  };
})();
