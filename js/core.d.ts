// Types of `sightline/core`, the core build: errors, network, web vitals, navigation and resource
// timing, long tasks, sessions, privacy and delivery. The API is the full build's (`sightline`);
// what the core build leaves out is typed here as what it does: nothing.
import type { CommonConfig, Monitor, NativeExporterConfig } from './index';

export type { Level, Pattern, SightlineStats, SessionSummary } from './index';

/**
 * Configuration of the core build's `init`: the native exporter only (`exporter: 'otlp'` rejects
 * `init`), without the keys of what it leaves out (`health`, `alerting`, `onAlert`,
 * `privacy.clickText`, `privacy.dataAttributes`; given anyway from JS, `onError` hears
 * `not_in_build` once, naming them, and they do nothing).
 */
export interface SightlineCoreConfig extends Omit<NativeExporterConfig, 'exporter' | 'health' | 'alerting' | 'onAlert' | 'privacy'> {
  exporter?: 'native';
  privacy?: Omit<NonNullable<CommonConfig['privacy']>, 'clickText' | 'dataAttributes'>;
}

/** The running core build. The full build's methods are here too, as documented no-ops (`debug: true` logs each call). */
export interface CoreMonitor extends Omit<Monitor, 'snapshot' | 'registerHealthCheck' | 'runHealthChecks' | 'onAlert' | 'resolveAlert'> {
  /** Not in the core build: `null`. */
  snapshot(): null;
  /** Not in the core build: does nothing. */
  registerHealthCheck(name: string, check: unknown): void;
  /** Not in the core build: resolves to `undefined`. */
  runHealthChecks(): Promise<undefined>;
  /** Not in the core build: does nothing. */
  onAlert(callback: unknown): void;
  /** Not in the core build: `false`. */
  resolveAlert(key: string): false;
}

/** Validates `config`, loads the core build's wasm (`sightline-core_bg.wasm`, next to this module) and starts monitoring. */
export function init(config: SightlineCoreConfig): Promise<CoreMonitor>;
export default init;
