// Compiled with `tsc --noEmit --strict` by tests/e2e/ssr.test.mjs: the declarations of the npm
// package accept what the README shows and reject what they should.
import init, { init as namedInit, type Monitor, type SightlineConfig, type SightlineStats } from 'sightline';

async function main(): Promise<void> {
  const config: SightlineConfig = {
    collector: 'https://collect.example.com',
    endpoints: { errors: '/e' },
    release: '1.4.2',
    environment: 'production',
    sampleRate: 0.5,
    errors: { maxQueueSize: 200, flushInterval: 5000, ignore: ['ResizeObserver', /Script error/] },
    privacy: { scrubParams: ['ssn'] },
    beforeSend: (event) => (event.message === 'drop me' ? null : event),
    onError: (d) => console.warn(d.code, d.message),
    wasmUrl: new URL('https://cdn.example.com/sightline_bg.wasm'),
  };
  const monitor: Monitor = await init(config);
  monitor.captureError(new Error('x'), { orderId: 42 });
  monitor.captureMessage('hello', 'warning');
  monitor.setUser(null);
  monitor.setTag('plan', 'pro');
  const delivered: boolean = await monitor.flush();
  const stats: SightlineStats | undefined = monitor.stats();
  monitor.shutdown();
  void [delivered, stats, namedInit];

  // @ts-expect-error collector is required
  await init({});
  // @ts-expect-error unknown keys are refused
  await init({ collector: 'x', colector: 'y' });
  // @ts-expect-error levels are a closed set
  monitor.captureMessage('x', 'loud');
}
void main;
