// Rule debug-kernel-params: stage-1 debugging switches left in boot.kernelParams.
import { removeListItem, stringItems } from '../nixos/options-query';
import type { Rule } from './types';

/** What each debugging parameter does (scripted stage-1-init.sh, systemd stage 1). */
const DEBUG_PARAMS: ReadonlyMap<string, string> = new Map([
  [
    'boot.debug1',
    'stops stage 1 right at the start and opens a root shell on the console; the boot continues only when it exits',
  ],
  [
    'boot.debug1devices',
    'stops stage 1 after the devices are set up and opens a root shell; the boot waits for it',
  ],
  [
    'boot.debug1mounts',
    'stops stage 1 after the file systems are mounted and opens a root shell; the boot waits for it',
  ],
  [
    'boot.trace',
    'runs stage 1 with `set -x`: every command, including lines holding keys or passphrases, is printed on the console',
  ],
  [
    'boot.debugtrace',
    'runs stage 1 with `set -x`: every command, including lines holding keys or passphrases, is printed on the console',
  ],
  [
    'debugtrace',
    'runs stage 1 with `set -x`: every command, including lines holding keys or passphrases, is printed on the console',
  ],
  [
    'boot.panic_on_fail',
    'turns every recoverable stage-1 error into a kernel panic (no fail menu, no retry)',
  ],
  ['stage1panic', 'turns every recoverable stage-1 error into a kernel panic (no fail menu, no retry)'],
  ['stage1panic=1', 'turns every recoverable stage-1 error into a kernel panic (no fail menu, no retry)'],
  ['rd.systemd.debug_shell', 'starts a root shell without password on tty9 in the systemd initrd'],
  ['systemd.debug_shell', 'starts a root shell without password on tty9'],
  ['rd.break', 'stops the systemd initrd before switching root and opens a shell'],
]);

/** Parameters only scripted stage 1's /init (stage-1-init.sh) reads; systemd stage 1 ignores them. */
const SCRIPTED_ONLY_PARAMS: ReadonlySet<string> = new Set([
  'boot.debug1',
  'boot.debug1devices',
  'boot.debug1mounts',
  'boot.trace',
  'boot.debugtrace',
  'debugtrace',
  'boot.panic_on_fail',
  'stage1panic',
  'stage1panic=1',
  'boot.shell_on_fail',
]);

export const rule: Rule = {
  id: 'debug-kernel-params',
  severity: 'info',
  title: 'Stage-1 debugging switches left in boot.kernelParams',
  docs: {
    summary:
      '`boot.debug1`, `boot.debug1devices`, `boot.debug1mounts`, `boot.trace`/`boot.debugtrace`, `boot.panic_on_fail`/' +
      '`stage1panic`, `rd.systemd.debug_shell`, `rd.break` written into `boot.kernelParams`.',
    why:
      'These parameters are meant for one boot, typed at the boot menu. Left in the configuration they apply to every ' +
      'boot: `boot.debug1*` deliberately stop stage 1 and wait for a console shell (a remote machine never comes up); ' +
      '`boot.trace` prints every stage-1 command with `set -x`, including lines that handle keys; `boot.panic_on_fail` ' +
      'turns a recoverable error into a kernel panic with no chance to pick an older generation interactively. Seed 003 ' +
      'documents them as debugging tips — exactly how they end up committed. `boot.shell_on_fail` is covered by ' +
      'emergency-access.\n\n' +
      '**When it says less.** Under systemd stage 1 the scripted-only switches (`boot.debug1*`, `boot.trace`, ' +
      '`boot.panic_on_fail`, `stage1panic`) do nothing — only stage-1-init.sh reads them — and the finding says that ' +
      'instead. `boot.panic_on_fail` together with a `panic=N` parameter is the intended unattended-reboot design ' +
      "(nixpkgs' own profiles/headless.nix sets both) and is not reported.",
    bad: 'boot.kernelParams = [ "quiet" "boot.debug1devices" ];',
    good: 'boot.kernelParams = [ "quiet" ];',
    fix:
      'Remove the parameter and add it for one boot from the boot menu (`e` in systemd-boot, GRUB) when you need it. ' +
      'The quick fix removes it from the list (not applied by `--fix`, since you may be debugging right now).',
    references: [
      'nixpkgs nixos/modules/system/boot/stage-1-init.sh (boot.debug1*, boot.trace, boot.panic_on_fail, stage1panic)',
      'seed 003 (debug mode tips)',
      'systemd-debug-generator(8) (rd.systemd.debug_shell)',
    ],
  },
  check(ctx) {
    const stage = ctx.project.stageOne;
    for (const def of ctx.definitions('boot.kernelParams')) {
      for (const s of stringItems(def, ctx.file.text)) {
        const what = DEBUG_PARAMS.get(s.value);
        if (!what) continue;
        const panicParam = () =>
          ctx.project
            .definitions('boot.kernelParams')
            .some(({ file, def: d }) => stringItems(d, file.text).some((x) => /^panic=\d+$/.test(x.value)));
        if ((s.value === 'boot.panic_on_fail' || s.value.startsWith('stage1panic')) && panicParam()) continue;
        const inert = stage.systemd === true && SCRIPTED_ONLY_PARAMS.has(s.value);
        ctx.report({
          start: s.node.start,
          end: s.node.end,
          message: inert
            ? `${s.value} does nothing here: only scripted stage 1's /init (stage-1-init.sh) reads it, and this host uses systemd stage 1 (${stage.reason}). Remove it.`
            : `${s.value} ${what}. It applies to every boot while it is in boot.kernelParams; add it from the boot menu for one boot instead.`,
          fixes: [
            {
              title: `Remove ${s.value}`,
              edits: [removeListItem(ctx.file.text, s.node)],
              safe: false,
              preferred: true,
            },
          ],
        });
      }
    }
  },
};
