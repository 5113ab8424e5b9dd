// Counts Sightline batches for the harness: {"errors":[...],"sdk":{"name":"sightline"},...}.
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
  return { errors: errors.length, http: 0, actions: 0, vitals: 0, other: 0, errorIds, fetchIds: [], xhrIds: [] };
}
