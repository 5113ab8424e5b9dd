import { defineConfig } from 'vite';

// Served by the dev collector under /examples/npm-app/dist/, so asset URLs are relative.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2020' },
  logLevel: 'warn',
});
