// Compiled with `tsc --noEmit --strict` by tests/e2e/ssr.test.mjs: the declarations of the npm
// package accept what the README shows and reject what they should.
import init, { init as namedInit, type Alert, type HealthStatus, type Monitor, type SightlineConfig, type SightlineStats, type Snapshot } from 'sightline';

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
  const session = monitor.sessionSummary();
  const engagement: number | undefined = session?.engagementScore;
  monitor.registerHealthCheck('api', async () => ((await fetch('/health')).ok ? 'healthy' : { status: 'degraded', message: 'slow' }));
  monitor.registerHealthCheck('flag', () => true);
  const report = await monitor.runHealthChecks();
  const overall: HealthStatus | undefined = report?.status;
  monitor.onAlert((a: Alert) => console.warn(a.key, a.severity, a.description));
  const resolved: boolean = monitor.resolveAlert('high_error_rate');
  const snap: Snapshot | undefined = monitor.snapshot();
  const p95: number | null | undefined = snap?.performance.requestDuration.p95;
  monitor.shutdown();
  void [delivered, stats, namedInit, engagement, overall, resolved, p95];
  await init({ collector: 'x', session: { timeout: 600000 }, health: { interval: 30000, timeout: 2000 }, alerting: { cooldown: 60000 } });

  // @ts-expect-error collector is required
  await init({});
  // the OTLP exporter needs no collector
  await init({ exporter: 'otlp', service: 'shop-web', otlp: { endpoint: '/otlp', headers: { 'x-ingest-key': 'k' }, compression: 'gzip' } });
  // @ts-expect-error endpoints belong to the native exporter
  await init({ exporter: 'otlp', endpoints: { errors: '/e' } });
  // @ts-expect-error otlp options need exporter: 'otlp'
  await init({ collector: 'x', otlp: { endpoint: '/otlp' } });
  // @ts-expect-error compression is gzip or none
  await init({ exporter: 'otlp', otlp: { compression: 'br' } });
  // @ts-expect-error tracing.exporter is gone
  await init({ collector: 'x', tracing: { exporter: 'otlp' } });
  // @ts-expect-error unknown keys are refused
  await init({ collector: 'x', colector: 'y' });
  // @ts-expect-error levels are a closed set
  monitor.captureMessage('x', 'loud');
  // @ts-expect-error a check returns a status, not a number
  monitor.registerHealthCheck('bad', () => 42);
}
void main;
