// The transport's one JS helper, imported by the wasm: a POST through the fetch captured at start,
// reporting (channel, status, Retry-After) to a long-lived wasm callback. Status 0 = network error.
// `done` always runs in a later task, never inside the call that started the request.
export function post(fetch, url, body, keepalive, channel, done) {
  const report = (status, retryAfter) => done && done(channel, status, retryAfter);
  try {
    fetch(url, { method: 'POST', body, keepalive }).then(
      (r) => report(r.status, r.headers.get('retry-after')),
      () => report(0, null),
    );
  } catch (e) {
    Promise.resolve().then(() => report(0, null));
  }
}
