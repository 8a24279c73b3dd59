import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationLenses, locateBootSettings } from '../../server/src/lsp/generations';
import type { GenerationsReport, Generation } from '../../server/src/system/generations';
import {
  budgetCounts,
  describeBudget,
  describeRoom,
  type BootBudget,
  type MeasuredSystem,
} from '../../server/src/system/bootBudget';
import { analyzeFile, lintFile, makeProject } from '../../server/src/analysis';
import { rule as bootPartitionBudget } from '../../server/src/rules/boot-partition-budget';

const nested = [
  '{ lib, ... }:',
  '{',
  '  networking.hostName = "box";',
  '  boot = {',
  '    loader.systemd-boot = {',
  '      enable = true;',
  '      configurationLimit = lib.mkDefault 40;',
  '    };',
  '    initrd = { availableKernelModules = [ "nvme" ]; };',
  '  };',
  '  # boot.loader.grub.configurationLimit = 3;',
  '}',
  '',
].join('\n');

test('configurationLimit and boot.initrd found through the option-path resolver (nested sets, mkDefault)', () => {
  const r = locateBootSettings(nested);
  assert.deepEqual(
    r.limits.map((l) => [l.value, nested.slice(l.start, l.end)]),
    [[40, '40']],
  );
  assert.equal(nested.slice(r.initrd!, r.initrd! + 6), 'initrd');
});

test('lens titles: counts, room, current initrd size', () => {
  const g = (n: number, extra: Partial<Generation> = {}): Generation => ({
    generation: n,
    date: '2024-01-01T00:00:00.000Z',
    link: `/x/system-${n}-link`,
    storePath: `/nix/store/${'a'.repeat(32)}-nixos-system-${n}`,
    exists: true,
    kernelVersion: '6.6.1',
    kernel: { path: '/k', size: 10 << 20 },
    initrd: { path: '/i', size: 30 << 20 },
    kernelParams: [],
    specialisations: [],
    source: 'bootspec',
    current: false,
    booted: false,
    default: false,
    bootEntry: true,
    ...extra,
  });
  const report: GenerationsReport = {
    root: '/',
    profile: '/nix/var/nix/profiles/system',
    generations: [g(1), g(2, { current: true, default: true })],
    boot: { loader: 'systemd-boot', bootDir: '/boot', entries: [] },
  };
  const budget: BootBudget = {
    loader: 'systemd-boot',
    bootDir: '/boot',
    copies: true,
    freeBytes: 200 << 20,
    totalBytes: 512 << 20,
    usedByGenerations: 80 << 20,
    perGeneration: [],
    nextGenerationBytes: 40 << 20,
    roomFor: 5,
    entries: 2,
  };
  const lenses = generationLenses(nested, report, budget);
  const lines = lenses.map((l) => nested.slice(0, l.offset).split('\n').length - 1);
  assert.deepEqual(lines, [6, 8]);
  assert.equal(lenses[0]!.title, '2 generations, 2 entries in /boot, room for 5 more');
  assert.equal(lenses[1]!.title, 'Current initrd: 30.0 MiB (generation 2, Linux 6.6.1)');
});

test('the ⚠ on the configurationLimit lens is the boot-partition-budget finding at that value, from the same counts', () => {
  const g = (n: number): Generation => ({
    generation: n,
    date: '2024-01-01T00:00:00.000Z',
    link: `/x/system-${n}-link`,
    storePath: `/nix/store/${'a'.repeat(32)}-nixos-system-box-24.05`,
    exists: true,
    kernelVersion: '6.6.1',
    kernel: { path: '/k', size: 10 << 20 },
    initrd: { path: '/i', size: 30 << 20 },
    kernelParams: [],
    specialisations: [],
    source: 'bootspec',
    current: n === 2,
    booted: false,
    default: n === 2,
    bootEntry: true,
  });
  const report: GenerationsReport = {
    root: '/',
    profile: '/nix/var/nix/profiles/system',
    generations: [g(1), g(2)],
    boot: { loader: 'systemd-boot', bootDir: '/boot', entries: [] },
  };
  const measured = {
    copies: true,
    freeBytes: 200 << 20,
    usedByGenerations: 80 << 20,
    nextGenerationBytes: 40 << 20,
    measured: true,
  };
  const budget: BootBudget = {
    loader: 'systemd-boot',
    bootDir: '/boot',
    totalBytes: 512 << 20,
    perGeneration: [],
    entries: 2,
    ...measured,
    ...budgetCounts(measured),
  };
  assert.deepEqual([budget.roomFor, budget.fits], [5, 7]);
  const system: MeasuredSystem = {
    root: '/',
    toplevelName: 'nixos-system-box-24.05',
    generations: 2,
    newestHasEntry: true,
    bootMountPoint: '/boot',
    budget,
  };
  const lens = (text: string, settings = {}) => {
    const m = analyzeFile('/cfg/configuration.nix', text);
    const warnings = lintFile(m, makeProject([m]), { ...settings, system }, [bootPartitionBudget]);
    return generationLenses(text, report, budget, m.definitions, warnings)[0]!;
  };
  const warned = lens(nested);
  assert.equal(warned.title, '⚠ 2 generations, 2 entries in /boot, room for 5 more');
  assert.match(
    warned.tooltip!,
    /configurationLimit = 40 lets systemd-boot keep 40 generations in \/boot, but \/boot holds about 7 generations of the current size \(40\.0 MiB kernel \+ initrd each/,
  );
  // A limit that fits, the rule turned off, or an ignore comment: no ⚠, as in the Problems panel.
  assert.equal(lens(nested.replace('40;', '7;')).title, '2 generations, 2 entries in /boot, room for 5 more');
  assert.equal(
    lens(nested, { rules: { 'boot-partition-budget': 'off' } }).title,
    '2 generations, 2 entries in /boot, room for 5 more',
  );
  assert.equal(
    lens(
      nested.replace(
        '      configurationLimit',
        '      # nixboot: ignore boot-partition-budget\n      configurationLimit',
      ),
    ).title,
    '2 generations, 2 entries in /boot, room for 5 more',
  );
});

test('the /boot budget line caps "room for" so tiny images or a /boot on the root file system give a stable, sane figure', () => {
  const base: BootBudget = {
    loader: 'systemd-boot',
    bootDir: '/boot',
    copies: true,
    freeBytes: 76 * 2 ** 30,
    totalBytes: 100 * 2 ** 30,
    usedByGenerations: 492,
    perGeneration: [],
    nextGenerationBytes: 4096,
    roomFor: 19193719,
    entries: 2,
  };
  assert.equal(describeBudget(base), '/boot: 2 entries, 492 B used, 76.0 GiB free, room for 100+ more');
  // Free space that moves with other writes to the file system leaves the line unchanged.
  assert.equal(
    describeBudget({ ...base, freeBytes: base.freeBytes! - 3 * 4096, roomFor: 19193716 }),
    describeBudget(base),
  );
  assert.equal(describeRoom({ roomFor: 5 }), 'room for 5 more');
  assert.equal(describeRoom({ roomFor: 99 }), 'room for 99 more');
  assert.equal(describeRoom({ roomFor: undefined }), undefined);
  assert.equal(
    describeBudget({ ...base, copies: false, freeBytes: undefined, roomFor: undefined, entries: 1 }),
    '/boot: 1 entry, kernels read from the store',
  );
});
