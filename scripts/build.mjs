// Bundles the three entry points with esbuild: the VS Code client, the LSP server and the CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const production = process.argv.includes('--production');
// `--outdir DIR`: bundles go there instead of dist/ (the packaging test builds what ships into a
// temporary directory, leaving the dist/ other tests run untouched).
const outIndex = process.argv.indexOf('--outdir');
const outdir = outIndex >= 0 ? process.argv[outIndex + 1] : 'dist';
if (!outdir) throw new Error('--outdir needs a directory');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};
// mvdan/sh (GopherJS, 1.5 MB) is needed by the server and the CLI: it ships once, as
// dist/mvdan-sh.js, which both bundles require from their own directory.
const sharedShellParser = {
  name: 'shared-mvdan-sh',
  setup(b) {
    b.onResolve({ filter: /^mvdan-sh$/ }, () => ({ path: './mvdan-sh.js', external: true }));
  },
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['client/src/extension.ts'],
    outfile: `${outdir}/extension.js`,
    external: ['vscode'],
  }),
  build({
    ...common,
    entryPoints: ['server/src/lsp/server.ts'],
    outfile: `${outdir}/server.js`,
    plugins: [sharedShellParser],
  }),
  build({ ...common, entryPoints: ['node_modules/mvdan-sh/index.js'], outfile: `${outdir}/mvdan-sh.js` }),
  // The CLI: a small launcher (dist/cli.js) that loads the initrd-only bundle for `nixboot initrd`
  // (start-up matters when indexing an image), the NAR bundle for `hash-path`/`store-path`
  // (start-up counts against `nix hash path`), the flake.lock bundle for `lock`, and the whole CLI
  // otherwise.
  build({
    ...common,
    entryPoints: ['server/src/cli/launcher.ts'],
    outfile: `${outdir}/cli.js`,
    external: ['./cli-initrd.js', './cli-nar.js', './cli-lock.js', './cli-main.js'],
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    ...common,
    entryPoints: ['server/src/cli/bin.ts'],
    outfile: `${outdir}/cli-main.js`,
    plugins: [sharedShellParser],
  }),
  build({ ...common, entryPoints: ['server/src/cli/binInitrd.ts'], outfile: `${outdir}/cli-initrd.js` }),
  build({ ...common, entryPoints: ['server/src/cli/binNar.ts'], outfile: `${outdir}/cli-nar.js` }),
  build({ ...common, entryPoints: ['server/src/cli/binLock.ts'], outfile: `${outdir}/cli-lock.js` }),
]);

// The sources are ES modules; the bundles are CommonJS (VS Code loads extensions with require).
mkdirSync(outdir, { recursive: true });
writeFileSync(`${outdir}/package.json`, '{"type": "commonjs"}\n');
