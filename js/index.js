// The npm entry: `import { init } from 'sightline'`. Importing touches nothing in the page (safe
// under SSR); `init` does everything. The literal `new URL(..., import.meta.url)` is what lets
// Vite and webpack 5 find and emit the .wasm file.
import { boot } from './core.js';

export function init(config) {
  return boot(config, () => new URL('./sightline_bg.wasm', import.meta.url));
}

export default init;
