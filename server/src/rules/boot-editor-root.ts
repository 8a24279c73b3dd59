// Rule boot-editor-root: systemd-boot's command-line editor left on for a machine with an encrypted root.
import { anyTrue, isDefined, literalBools, mayBeOverridden, siblingInsert } from '../nixos/options-query';
import type { Fix, Rule } from './types';

export const rule: Rule = {
  id: 'boot-editor-root',
  severity: 'warning',
  title: 'systemd-boot editor left on with an encrypted root',
  docs: {
    summary:
      '`boot.loader.systemd-boot.enable` with `boot.loader.systemd-boot.editor` left at its default `true` (or set to ' +
      'true) on a machine with LUKS devices or ZFS/bcachefs encryption.',
    why:
      "The editor lets anyone at the boot menu change the kernel command line. systemd-boot.nix's own description: " +
      '"It is recommended to set this to false, as it allows gaining root access by passing init=/bin/sh as a kernel ' +
      'parameter. However, it is enabled by default for backwards compatibility." With an encrypted root, `init=/bin/sh` ' +
      'alone does not open the disk, but `boot.shell_on_fail`, `boot.debug1` or `rd.systemd.debug_shell` give a root ' +
      'shell inside the initrd — where the passphrase is typed next, and where a modified initrd can record it.',
    bad: 'boot.loader.systemd-boot.enable = true;\nboot.initrd.luks.devices.root.device = "/dev/disk/by-uuid/…";',
    good: 'boot.loader.systemd-boot.enable = true;\nboot.loader.systemd-boot.editor = false;',
    fix:
      'Set `boot.loader.systemd-boot.editor = false;`. You can still pick older generations in the menu; for one-off ' +
      'kernel parameters, boot a generation that has them. The quick fix adds the line next to `systemd-boot.enable` ' +
      '(not applied by `--fix`).\n\n' +
      '**When it stays silent.** Without an encrypted root (LUKS devices, ZFS or bcachefs encryption) in the host; when ' +
      'the editor is set to false anywhere in it; and when `systemd-boot.enable = true` may be overridden by a definition ' +
      'of higher priority (`boot.loader.systemd-boot.enable = lib.mkForce false` for a GRUB machine, or an `mkOverride` ' +
      'whose priority is not known): module priorities decide the value, as in nixpkgs lib/modules.nix. Two exceptions: ' +
      'a host that enables lanzaboote (its setup guide forces systemd-boot off, but lanzaboote installs systemd-boot ' +
      "itself and takes loader.conf's `editor` from `boot.loader.systemd-boot.editor`, default true), and a file shared " +
      "by several hosts, where one host's override says nothing about the others.",
    references: [
      'nixpkgs nixos/modules/system/boot/loader/systemd-boot/systemd-boot.nix (editor: default true, description)',
      'nixpkgs lib/modules.nix (mkOverride priorities: mkForce 50, plain 100, mkDefault 1000)',
      'nix-community/lanzaboote nix/modules/lanzaboote.nix (settings default: editor = config.boot.loader.systemd-boot.editor)',
      'brief nixos-boot-facts.md §D, §H 15',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    if (
      ctx.definitions('boot.loader.systemd-boot.enable').length === 0 &&
      ctx.definitions('boot.loader.systemd-boot.editor').length === 0
    )
      return;
    const encrypted =
      isDefined(p, 'boot.initrd.luks.devices.*.device') ||
      isDefined(p, 'boot.initrd.luks.devices.*') ||
      anyTrue(p, 'boot.zfs.requestEncryptionCredentials') ||
      p.files.some((f) => /\bencryption\s*=\s*"aes-|keylocation|bcachefs.*--encrypted/.test(f.text));
    if (!encrypted) return;
    const explicitFalse = literalBools(p, 'boot.loader.systemd-boot.editor', false).length > 0;
    if (explicitFalse) return;
    const explicitTrue = ctx
      .definitions('boot.loader.systemd-boot.editor')
      .filter((d) => literalBools(p, 'boot.loader.systemd-boot.editor', true).some((l) => l.def === d));
    for (const def of explicitTrue) {
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          'boot.loader.systemd-boot.editor = true on a machine with an encrypted root: anyone at the boot menu can add init=/bin/sh or rd.systemd.debug_shell and get root before the passphrase is typed. Set it to false.',
        fixes: [
          {
            title: 'Disable the boot menu editor',
            edits: [{ start: def.value.start, end: def.value.end, newText: 'false' }],
            safe: false,
            preferred: true,
          },
        ],
      });
    }
    if (isDefined(p, 'boot.loader.systemd-boot.editor')) return;
    const lanzaboote = anyTrue(p, 'boot.lanzaboote.enable');
    for (const def of ctx.definitions('boot.loader.systemd-boot.enable')) {
      if (!literalBools(p, 'boot.loader.systemd-boot.enable', true).some((l) => l.def === def)) continue;
      // `boot.loader.systemd-boot.enable = lib.mkForce false` elsewhere wins (module priorities decide) — unless
      // lanzaboote replaces it: lanzaboote installs systemd-boot itself and writes `editor` into loader.conf from
      // boot.loader.systemd-boot.editor (default true). In a file shared by several hosts an override in one
      // host's files says nothing about the others.
      const shared = p.host.hostCount > 1;
      if (!lanzaboote && !shared && mayBeOverridden(p, 'boot.loader.systemd-boot.enable', def)) continue;
      const edit = siblingInsert(ctx.file, def, ['boot', 'loader', 'systemd-boot', 'editor'], 'false');
      const fixes: Fix[] = edit
        ? [
            {
              title: 'Disable the boot menu editor (boot.loader.systemd-boot.editor = false)',
              edits: [edit],
              safe: false,
              preferred: true,
            },
          ]
        : [];
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          "systemd-boot's editor is on by default: anyone at the boot menu can add init=/bin/sh or rd.systemd.debug_shell to the kernel command line and get root, " +
          'here before the encrypted root is unlocked. Set boot.loader.systemd-boot.editor = false.' +
          (lanzaboote
            ? ' (lanzaboote, enabled on this host, writes the same setting into its loader.conf: `editor` comes from boot.loader.systemd-boot.editor.)'
            : ''),
        fixes,
      });
    }
  },
};
