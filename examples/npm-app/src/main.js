import { init } from 'sightline';

const status = (text) => (document.getElementById('status').textContent = text);
const on = (id, f) => document.getElementById(id).addEventListener('click', f);

// The collector serves this page, so it is also the collector's origin.
const ready = init({
  collector: location.origin,
  release: 'npm-app@1.0.0',
  environment: 'example',
  onError: (d) => console.warn('sightline diagnostic', d.code, d.message),
});

// Raised while the wasm is still loading: init() buffers it and reports it once it runs.
setTimeout(() => {
  throw new Error('npm-app: error before the SDK finished loading');
});

ready.then(
  (monitor) => {
    window.monitor = monitor;
    monitor.setTag('example', 'npm-app');
    status('Sightline is running (session ' + monitor.stats().sessionId + ')');
    on('throw', () => {
      throw new Error('npm-app: demo error');
    });
    on('reject', () => Promise.reject(new Error('npm-app: demo rejection')));
    on('type', () => null.demo());
    on('manual', () => monitor.captureError(new Error('npm-app: handled error'), { orderId: 42 }));
    on('flush', async () => status('flush: ' + (await monitor.flush())));
  },
  (error) => status('Sightline did not start: ' + error.message),
);
