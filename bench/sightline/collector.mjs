// Counts Sightline batches for the harness: {"errors":[...]} or {"metrics":[...]}, with "sdk":{"name":"sightline"}.
export function countItems(body) {
  let payload;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!payload || !payload.sdk || !/^sightline/.test(payload.sdk.name)) return null;
  const errors = Array.isArray(payload.errors) ? payload.errors : [];
  const errorIds = [];
  for (const e of errors) {
    const m = /bench-err-(\d+)/.exec(e.message || '');
    if (m) errorIds.push(Number(m[1]));
  }
  // metrics: web vitals (web_vitals_lcp -> LCP) and the rest (navigation, resources, long tasks)
  const metrics = Array.isArray(payload.metrics) ? payload.metrics : [];
  const vitalNames = metrics
    .map((m) => /^web_vitals_(\w+)$/.exec(m.name || ''))
    .filter(Boolean)
    .map((m) => m[1].toUpperCase());
  return {
    errors: errors.length,
    http: 0,
    actions: 0,
    vitals: vitalNames.length,
    other: metrics.length - vitalNames.length,
    vitalNames,
    errorIds,
    fetchIds: [],
    xhrIds: [],
  };
}
