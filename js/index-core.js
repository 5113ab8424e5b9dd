// The npm entry of the core build: `import { init } from 'sightline/core'`. The same API as the
// full build (js/index.js); what the core build leaves out (user experience, health checks,
// alerts and `snapshot()`, OTLP) does nothing and says so in the debug log.
import { boot } from './core.js';

export function init(config) {
  return boot(config, () => new URL('./sightline-core_bg.wasm', import.meta.url));
}

export default init;
