// Bundles the Electron shell: the main process as ESM, the preload as CommonJS (sandboxed
// preloads can only require('electron')). The Studio and its workers run from core/ via tsx.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['electron/main.ts'],
  outfile: 'dist/electron/main.mjs',
  format: 'esm',
  packages: 'external',
});
await build({
  ...common,
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  format: 'cjs',
  external: ['electron'],
});
