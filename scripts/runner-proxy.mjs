// An HTTP proxy that Chromium uses, during the browser tests, to reach wasm-bindgen-test-runner's
// page server. That server (rouille over tiny_http) now and then leaves a new keep-alive connection
// unread: the request sits in the socket's receive queue, a module script never arrives, and the
// run ends in "Loading scripts... Failed to detect test as having been run" after minutes
// (wasm-pack issue #783; we saw it in about one run in three once the crate had five JS snippets).
// Here every request Chromium sends goes to that server on a connection of its own, closed after
// the response, so no connection is left idle there; Chromium keeps its keep-alive to the proxy.
//
// usage: node scripts/runner-proxy.mjs PORT   (prints "proxy listening on PORT" when ready; PORT 0: a free one)
import http from 'node:http';

// hop-by-hop headers: they describe one connection, not the message
const HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization']);
const strip = (headers) => Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP.has(k.toLowerCase())));

const server = http.createServer((req, res) => {
  let target;
  try {
    target = new URL(req.url); // a proxy receives the absolute URL
  } catch {
    res.writeHead(400).end();
    return;
  }
  const upstream = http.request(
    target,
    { method: req.method, headers: { ...strip(req.headers), connection: 'close' }, agent: false },
    (answer) => {
      res.writeHead(answer.statusCode, strip(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log(`proxy listening on ${server.address().port}`));
