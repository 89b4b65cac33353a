// Builds the dashboard into dist/: index.html, assets/app.js (one bundle, minified) and
// assets/app.css. No inline script or style anywhere, so the controller's strict
// Content-Security-Policy needs no hash or nonce. Run by `npm run build` after tsc -b
// (the bundle takes @cedar-store/ports/words from libs/ports/dist). `node build.mjs DIR`
// builds into DIR instead, as the bundle-size test does.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, 'dist');

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
await build({
  entryPoints: [join(here, 'src/main.tsx')],
  outfile: join(out, 'assets/app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(join(here, 'src/index.html'), join(out, 'index.html'));
await copyFile(join(here, 'src/styles.css'), join(out, 'assets/app.css'));
await copyFile(join(here, 'src/icon.svg'), join(out, 'assets/icon.svg'));
