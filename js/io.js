// Timers and the transport's POST, imported by the wasm. Callbacks reach the client as
// `sink.c.method(...)`: exported methods, no wasm closures. They always run in a later task.
export function post(fetch, url, body, keepalive, channel, sink) {
  const report = (status, retryAfter) => sink && sink.c && sink.c.done(channel, status, retryAfter);
  try {
    fetch(url, { method: 'POST', body, keepalive }).then(
      (r) => report(r.status, r.headers.get('retry-after')),
      () => report(0, null),
    );
  } catch (e) {
    Promise.resolve().then(() => report(0, null));
  }
}

export function timer(ms, channel, sink) {
  return setTimeout(() => sink.c && sink.c.tick(channel), ms);
}
