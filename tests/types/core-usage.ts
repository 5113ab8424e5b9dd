// The core build's documented usage type-checks, and its mistakes do not (tsc, run by
// tests/e2e/package.test.mjs).
import initCore, { init, type CoreMonitor, type SightlineStats } from 'sightline/core';

async function main() {
  const monitor: CoreMonitor = await init({ collector: 'https://collect.example.com', release: '1.2.3', privacy: { maskText: true, scrubParams: ['sig'] }, errors: { ignore: [/ResizeObserver/] } });
  monitor.captureError(new Error('x'), { step: 1 });
  const stats: SightlineStats | undefined = monitor.stats();
  const delivered: boolean = await monitor.flush();
  // the full build's methods exist, and say what they do here
  const none: null = monitor.snapshot();
  const nothing: undefined = await monitor.runHealthChecks();
  const resolved: false = monitor.resolveAlert('x');
  await initCore({ collector: 'x' });
  void [stats, delivered, none, nothing, resolved];

  // @ts-expect-error the core build has no OTLP exporter
  await init({ exporter: 'otlp' });
  // @ts-expect-error health checks are the full build's
  await init({ collector: 'x', health: { interval: 1000 } });
  // @ts-expect-error click texts are the full build's (user experience)
  await init({ collector: 'x', privacy: { clickText: false } });
  // @ts-expect-error collector is required
  await init({});
}
void main;
