// The extension package: what goes into the .vsix, its size, and a consistent manifest.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';

const ROOT = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const VSCE = join(ROOT, 'node_modules/@vscode/vsce/vsce');
/** The `vsce package` flags of `npm run package` (the test packages the same way). */
const PACKAGE_FLAGS = (pkg.scripts.package as string)
  .split('vsce package')[1]!
  .split(' -o ')[0]!
  .trim()
  .split(/\s+/);

const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^dist\/(extension|server|cli|cli-main|cli-initrd|cli-nar|cli-lock|mvdan-sh)\.js$/,
  /^dist\/package\.json$/,
  /^syntaxes\/[\w.-]+\.json$/,
  /^media\/[\w.-]+\.(svg|png)$/,
  /^docs\/rules\/[\w-]+\.md$/,
];

test('the .vsix holds only what .vscodeignore allows, and is under 2 MB', () => {
  const ls = spawnSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ls.status, 0, ls.stderr);
  const files = ls.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  assert.deepEqual(unexpected, []);
  for (const must of [
    'package.json',
    'dist/extension.js',
    'dist/server.js',
    'dist/cli.js',
    'dist/cli-main.js',
    'dist/cli-initrd.js',
    'dist/cli-nar.js',
    'dist/cli-lock.js',
    'dist/mvdan-sh.js',
    'syntaxes/nix.tmLanguage.json',
  ])
    assert.ok(files.includes(must), `${must} is packaged`);
  // What ships: `npm run package` bundles with --production (minified) before packaging. The
  // package is staged in a temporary directory with its own production build, so the size is the
  // shipped one and the dist/ that other tests run stays as it is.
  const dir = mkdtempSync(join(tmpdir(), 'nixboot-vsix-'));
  try {
    const stage = join(dir, 'package');
    for (const f of [
      'package.json',
      '.vscodeignore',
      'README.md',
      'MARKETPLACE.md',
      'CHANGELOG.md',
      'LICENSE',
    ])
      cpSync(join(ROOT, f), join(stage, f));
    for (const d of ['media', 'syntaxes', 'docs/rules'])
      cpSync(join(ROOT, d), join(stage, d), { recursive: true });
    const built = spawnSync(
      process.execPath,
      [join(ROOT, 'scripts/build.mjs'), '--production', '--outdir', join(stage, 'dist')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(built.status, 0, built.stderr + built.stdout);
    const out = join(dir, 'nixboot.vsix');
    const r = spawnSync(process.execPath, [VSCE, 'package', ...PACKAGE_FLAGS, '-o', out], {
      cwd: stage,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const size = statSync(out).size;
    assert.ok(size < 2 * 1024 * 1024, `vsix is ${size} bytes`);
    const dev = spawnSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], {
      cwd: stage,
      encoding: 'utf8',
    });
    assert.deepEqual(
      dev.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .sort(),
      [...files].sort(),
      'the staged package holds the same files as the repository would package',
    );
    // The Extensions page shows the users' README (MARKETPLACE.md), not the developers' one, and its
    // pictures load offline: relative paths to images inside the .vsix, never remote URLs.
    const zip = unzipSync(readFileSync(out));
    const readme = strFromU8(zip['extension/readme.md']!);
    assert.equal(readme, readFileSync(join(ROOT, 'MARKETPLACE.md'), 'utf8'));
    assert.doesNotMatch(readme, /npm run|scripts\/test-all|run-tests/, 'no developer instructions');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    assert.ok(images.length >= 3, 'the README shows the extension');
    for (const img of images) {
      assert.doesNotMatch(img, /^[a-z]+:/i, `${img} is a relative path`);
      assert.ok(zip[`extension/${img}`], `${img} is packaged`);
    }
    assert.ok(zip[`extension/${pkg.icon}`], 'the icon is packaged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('activation is lazy: never on *', () => {
  assert.ok(Array.isArray(pkg.activationEvents));
  assert.ok(!pkg.activationEvents.includes('*'));
  assert.ok(pkg.activationEvents.includes('onLanguage:nix'));
  assert.ok(
    pkg.activationEvents.some(
      (e: string) => e.startsWith('workspaceContains:') && e.includes('configuration.nix'),
    ),
  );
  assert.ok(
    pkg.activationEvents.some((e: string) => e.startsWith('workspaceContains:') && e.includes('flake.nix')),
  );
  assert.equal(pkg.engines.vscode, '^1.91.0');
  assert.equal(pkg.main, './dist/extension.js');
  assert.equal(pkg.bin.nixboot, './dist/cli.js');
});

test('untrusted workspaces are declared with a reason', () => {
  const u = pkg.capabilities?.untrustedWorkspaces;
  assert.ok(u && ['limited', false, true].includes(u.supported));
  if (u.supported !== true) assert.ok(typeof u.description === 'string' && u.description.length > 20);
});

test('every command has a title and the NixOS Boot category; every view an icon', () => {
  for (const c of pkg.contributes.commands ?? []) {
    assert.ok(c.title, `${c.command} has a title`);
    assert.equal(c.category, 'NixOS Boot', `${c.command} category`);
  }
  for (const [container, views] of Object.entries(
    (pkg.contributes.views ?? {}) as Record<string, Array<{ id: string; icon?: string }>>,
  )) {
    for (const v of views) assert.ok(v.icon, `view ${v.id} in ${container} has an icon`);
  }
  for (const c of pkg.contributes.viewsContainers?.activitybar ?? [])
    assert.ok(c.icon, `container ${c.id} has an icon`);
  const ids = (pkg.contributes.commands ?? []).map((c: { command: string }) => c.command);
  for (const menu of Object.values(
    (pkg.contributes.menus ?? {}) as Record<string, Array<{ command: string }>>,
  )) {
    for (const item of menu)
      assert.ok(ids.includes(item.command), `menu item ${item.command} is a contributed command`);
  }
});

test('every setting has a description and a scope; settings naming paths or programs are machine-scoped', () => {
  const props = pkg.contributes.configuration.properties as Record<
    string,
    { description?: string; markdownDescription?: string; scope?: string }
  >;
  assert.ok(Object.keys(props).length > 0);
  for (const [key, p] of Object.entries(props)) {
    assert.ok(p.description || p.markdownDescription, `${key} has a description`);
    assert.ok(p.scope, `${key} has a scope`);
    if (/(Root|Path|Program|Binary|Executable|Command)$/i.test(key))
      assert.ok(
        ['machine', 'machine-overridable', 'application'].includes(p.scope!),
        `${key} is machine-scoped`,
      );
  }
});
