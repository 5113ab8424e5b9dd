/** Severity of a captured message. */
export type Level = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

/** A string (matched as a substring) or a regular expression. */
export type Pattern = string | RegExp;

/**
 * Configuration of `init`. Validated once: an unknown key or a wrong type rejects `init`, naming the key.
 * The native exporter (the default) needs `collector`; `exporter: 'otlp'` sends OTLP/HTTP JSON instead.
 */
export type SightlineConfig = NativeExporterConfig | OtlpExporterConfig;

/** The native exporter: one JSON POST per channel to your collector. */
export interface NativeExporterConfig extends CommonConfig {
  exporter?: 'native';
  /** Base URL of your collector, e.g. `https://collect.example.com` (may be relative to the page). */
  collector: string;
  /** Path (joined to `collector`) or absolute URL per channel. */
  endpoints?: {
    /** default `/api/errors` */ errors?: string;
    /** default `/api/metrics` */ metrics?: string;
    /** default `/api/analytics/events` */ events?: string;
    /** default `/api/health/status` */ health?: string;
    /** default `/api/alerts` */ alerts?: string;
  };
  otlp?: never;
}

/** OTLP/HTTP JSON to an OpenTelemetry Collector or any OTLP backend: logs, metrics and traces. */
export interface OtlpExporterConfig extends CommonConfig {
  exporter: 'otlp';
  /** Used only by the loader snippet's fallback beacon (native format), when the SDK cannot load. */
  collector?: string;
  endpoints?: never;
  otlp?: {
    /** Base URL (may be relative to the page); `/v1/logs`, `/v1/metrics`, `/v1/traces` are appended. Default `http://localhost:4318`. */
    endpoint?: string;
    /** Static headers of every request, e.g. a vendor's public ingest key (the page can read them: never a secret). */
    headers?: Record<string, string>;
    /** `'gzip'`: gzip requests sent without keepalive (over 1 KB, where `CompressionStream` exists). Default `'none'`. */
    compression?: 'gzip' | 'none';
  };
}

/** The keys both exporters take. */
export interface CommonConfig {
  /** `service.name` in OTLP (default `unknown_service:browser`); `service` in native batches. */
  service?: string;
  /** e.g. `production`; sent as `environment` (OTLP: `deployment.environment.name`). */
  environment?: string;
  /** Your build version; sent as `buildVersion` (OTLP: `service.version`). */
  release?: string;
  /**
   * Share of sessions kept, 0..1 (default 1), decided once when a session starts. An unsampled
   * session sends nothing; every method still works.
   */
  sampleRate?: number;
  /**
   * A session lives in the tab (sessionStorage: reloads and same-tab navigations continue it) and
   * ends after `timeout` ms without user activity (default 30 minutes) or once it is `maxDuration`
   * ms old (default 4 hours); the next user activity or error starts a new one.
   */
  session?: { timeout?: number; maxDuration?: number };
  /**
   * Performance monitoring: navigation and resource timing, long tasks, long animation frames and the
   * web vitals (LCP, CLS, INP, FCP, TTFB, FID) as Google's web-vitals library defines them.
   */
  metrics?: {
    /** default true; false installs no performance observer */
    enabled?: boolean;
    /** flush interval in ms, default 30000 (metrics also go out when the page is hidden) */
    interval?: number;
    /** resources slower than this (ms) are sent as `resource_load_time`; default 1000 */
    slowResourceMs?: number;
  };
  errors?: {
    /** bound of the errors queue, default 100; the oldest are dropped (and counted) beyond it */
    maxQueueSize?: number;
    /** ms, default 10000 */
    flushInterval?: number;
    /** a fetch or XMLHttpRequest slower than this (ms, default 5000) is recorded as `slow_request` */
    slowRequestMs?: number;
    /** HTTP statuses of 400 and above that are not recorded as `http_error` / `xhr_http_error` (e.g. `[401, 404]`) */
    ignoreStatus?: number[];
    /** errors whose message matches are not captured */
    ignore?: Pattern[];
  };
  /**
   * W3C trace context for fetch and XMLHttpRequest: sampled requests (`sampleRate`, default 0.1)
   * get a `traceparent` header when they go to the page's origin or match `propagateTo` (URL
   * prefixes or RegExps), and each sampled request is recorded as a client span. With
   * `exporter: 'otlp'`, the page load is traced too (`documentLoad` and its phases).
   */
  tracing?: { enabled?: boolean; sampleRate?: number; propagateTo?: Pattern[] };
  /**
   * Alert rules over this page's requests and health: error rate (failed share over the last 5
   * minutes, at least 10 requests) above `errorRate` (0.05), p95 request duration above
   * `responseTime` (2000 ms, at least 10 requests), availability (share not answered by a network
   * error or 5xx) below `availability` (0.99), and an unhealthy health status. An alert fires once
   * per key until `cooldown` ends or `resolveAlert(key)`.
   */
  alerting?: {
    enabled?: boolean;
    thresholds?: { errorRate?: number; responseTime?: number; availability?: number };
    /** ms, default 300000 */
    cooldown?: number;
  };
  /**
   * Health checks every `interval` ms (default 60000) while the page is visible, each given
   * `timeout` ms (default 5000): the built-ins `local_storage`, `memory` (`performance.memory`) and
   * `collector` (reachability), plus `registerHealthCheck`'s.
   */
  health?: { enabled?: boolean; interval?: number; timeout?: number; checks?: { storage?: boolean; memory?: boolean; collector?: boolean } };
  privacy?: {
    /** mask e-mail addresses, JWT-like tokens and card numbers in messages, stacks and texts (default true; URLs are always masked) */
    maskText?: boolean;
    /** extra query-parameter names (substrings, case-insensitive) whose values are replaced by `[Filtered]` */
    scrubParams?: string[];
    /** record a clicked element's visible text (default true; never from inputs, editable or `data-sightline-mask` regions) */
    clickText?: boolean;
    /** the `data-*` attributes a click record may carry (default `data-testid`, `data-action`, `data-track`) */
    dataAttributes?: string[];
  };
  /**
   * Edit an event (once, when its batch is made), or return `null` to drop it. With `exporter: 'otlp'`
   * it gets each OTLP log record and request span (not the metrics, nor the page load's spans).
   */
  beforeSend?: (event: Record<string, unknown>) => Record<string, unknown> | null | undefined | false;
  onAlert?: (alert: Alert) => void;
  /**
   * SDK self-diagnostics, each with a message: `queue_overflow`, `batch_rejected`,
   * `partial_success`, `hook_failed`, `no_fetch` (the page has no working fetch: XMLHttpRequest
   * and sendBeacon instead), `internal_error` (the SDK disabled itself; the page is unaffected).
   */
  onError?: (diagnostic: { code: 'queue_overflow' | 'batch_rejected' | 'partial_success' | 'hook_failed' | 'no_fetch' | 'internal_error' | (string & {}); message: string }) => void;
  /** Log what the SDK does to the console (debug level). */
  debug?: boolean;
  /** Where to load `sightline_bg.wasm` from (default: next to the module). */
  wasmUrl?: string | URL;
}

/** SDK self-diagnostics. */
export interface SightlineStats {
  sentBatches: number;
  failedSends: number;
  rejectedEvents: number;
  droppedEvents: number;
  hookErrors: number;
  internalErrors: number;
  beacons: number;
  persisted: number;
  restored: number;
  /** events waiting in each channel's queue: errors, metrics, events, health, alerts */
  queued: number[];
  /** events of each channel handed to requests and not delivered yet (in flight, waiting for the keepalive budget or for a retry) */
  inFlight: number[];
  /** resource timing per type (script, stylesheet, image, font, fetch, xhr, media, document, beacon, other) */
  resources: Partial<Record<string, { count: number; duration: number; bytes: number; cached: number }>>;
  /** fetch and XMLHttpRequest per origin (the page's aborts and the SDK's own requests are not counted) */
  requests: Partial<Record<string, { count: number; failed: number; aborted: number; duration: number; bytes: number }>>;
  /** the current page view: every metric carries it as `tags.pageViewId` */
  pageViewId: string;
  sessionId: string;
  sampled: boolean;
}

/** The tab's session so far (all its page loads). */
export interface SessionSummary {
  sessionId: string;
  /** ms since the session started */
  duration: number;
  pageViews: number;
  /** clicks and form submits */
  userActions: number;
  /**
   * 0..100: `min(40, 2 × minutes) + min(30, 10 × pageViews) + min(30, 5 × userActions per minute)`,
   * the rate taken over at least one minute
   */
  engagementScore: number;
  /** distinct pages (origin and path) viewed, at most 100 */
  uniquePages: number;
  sampled: boolean;
  /** ISO time the session started */
  startedAt: string;
}

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown';

export interface HealthCheckResult {
  name: string;
  status: HealthStatus;
  /** ms the check took */
  responseTime: number;
  message?: string;
}

/** What the health channel receives and `runHealthChecks()` resolves to. */
export interface HealthReport {
  /** any unhealthy → unhealthy; otherwise any degraded or unknown → degraded; otherwise healthy */
  status: HealthStatus;
  checks: HealthCheckResult[];
  summary: { healthy: number; degraded: number; unhealthy: number; unknown: number; total: number };
  timestamp: string;
}

/** A health check's verdict: true/undefined (healthy), false (unhealthy), a status, or a status with a message; throwing or timing out is unhealthy. */
export type HealthCheck = () => boolean | void | HealthStatus | { status: HealthStatus; message?: string } | Promise<boolean | void | HealthStatus | { status: HealthStatus; message?: string }>;

export interface Alert {
  id: string;
  /** `high_error_rate`, `slow_response_time`, `low_availability`, `health_unhealthy` */
  key: string;
  severity: 'warning' | 'critical' | 'info';
  title: string;
  description: string;
  status: 'active' | 'resolved';
  timestamp: string;
  value?: number;
  threshold?: number;
  url: string;
}

type Quantiles = { p50: number | null; p75: number | null; p95: number | null; average: number | null };

/** This page's dashboard figures (null where nothing was measured yet). */
export interface Snapshot {
  performance: {
    averageLoadTime: number | null;
    p95LoadTime: number | null;
    /** the latest value of each */
    webVitals: Record<'lcp' | 'inp' | 'cls' | 'fcp' | 'ttfb' | 'fid', number | null>;
    webVitalsP75: Record<'lcp' | 'inp' | 'cls' | 'fcp' | 'ttfb' | 'fid', number | null>;
    /** fetch and XHR requests that ended (aborts left out) */
    requests: number;
    slowRequests: number;
    /** within 1 % (a DDSketch) */
    requestDuration: Quantiles;
    resourceBreakdown: SightlineStats['resources'];
  };
  errors: {
    /** failed share of requests over the last 5 minutes */
    errorRate: number | null;
    windowRequests: number;
    windowFailed: number;
    errorsByType: Record<string, number>;
    /** the most frequent, at most 10 */
    topErrors: { fingerprint: string; type: string; message: string; count: number }[];
  };
  health: {
    overallStatus: HealthStatus;
    checks: HealthCheckResult[];
    /** share of requests over the last 5 minutes not answered by a network error or 5xx */
    availability: number | null;
    /** p95 request duration, ms */
    responseTime: number | null;
    averageResponseTime: number | null;
  };
  alerts: { active: string[] };
  /** the session summary, plus the seed's name for its duration */
  userMetrics: SessionSummary & { sessionDuration: number };
  timestamp: string;
}

/** The running SDK. No method ever throws. */
export interface Monitor {
  /** Records an error (any thrown value) with optional JSON-serialisable context. */
  captureError(error: unknown, context?: unknown): void;
  captureMessage(message: string, level?: Level): void;
  /** Sets (or with `null` clears) the user id sent with every event. */
  setUser(id: string | null): void;
  setTag(key: string, value: string): void;
  /** Sends everything queued; resolves `true` when all was delivered, `false` when some stays queued for retry. */
  flush(): Promise<boolean>;
  stats(): SightlineStats | undefined;
  sessionSummary(): SessionSummary | undefined;
  snapshot(): Snapshot | undefined;
  /** Adds (or replaces, by name) a check run with the built-ins; at most 50. */
  registerHealthCheck(name: string, check: HealthCheck): void;
  /** Runs every check now; the report also goes to the health channel. */
  runHealthChecks(): Promise<HealthReport | undefined>;
  onAlert(callback: (alert: Alert) => void): void;
  /** Marks an active alert resolved (the collector is told) and ends its cooldown; false when it was not active. */
  resolveAlert(key: string): boolean;
  /** Hands queued events to the browser, then removes every listener and timer the SDK installed. */
  shutdown(): void;
}

/** Validates the config, loads the wasm and starts monitoring. Rejects (installing nothing) on a bad config. */
export function init(config: SightlineConfig): Promise<Monitor>;
export default init;
