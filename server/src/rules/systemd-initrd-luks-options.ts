// Rule systemd-initrd-luks-options: LUKS options that one kind of stage 1 rejects (luksroot.nix assertions).
import type { Definition } from '../nixos/definitions';
import { plainString } from '../nixos/options-query';
import type { Rule, RuleContext } from './types';

/** Rejected under systemd stage 1: option pattern, the value that trips it ('any' = any definition), nixpkgs' message. */
const SYSTEMD_REJECTS: ReadonlyArray<{
  pattern: string;
  value: 'true' | 'false' | 'any';
  message: string;
  instead: string;
}> = [
  {
    pattern: 'boot.initrd.luks.devices.*.fallbackToPassword',
    value: 'true',
    message: 'boot.initrd.luks.devices.<name>.fallbackToPassword is implied by systemd stage 1.',
    instead: 'Remove it: systemd-cryptsetup asks for the passphrase when the key file is missing.',
  },
  {
    pattern: 'boot.initrd.luks.devices.*.preLVM',
    value: 'false',
    message:
      'boot.initrd.luks.devices.<name>.preLVM has no effect with systemd stage 1. … The preLVM option will be removed in 26.11 along with scripted stage 1.',
    instead: 'Remove it: systemd orders LVM and LUKS by their devices.',
  },
  {
    pattern: 'boot.initrd.luks.reusePassphrases',
    value: 'any',
    message: 'boot.initrd.luks.reusePassphrases has no effect with systemd stage 1.',
    instead: 'Remove it (systemd-cryptsetup caches passphrases in the kernel keyring itself).',
  },
  {
    pattern: 'boot.initrd.luks.gpgSupport',
    value: 'true',
    message:
      'boot.initrd.luks.gpgSupport is deprecated, and it is unsupported with systemd stage 1. Support will be removed in 26.11 along with scripted stage 1.',
    instead:
      'Keep scripted stage 1 for this host (boot.initrd.systemd.enable = false) or enroll another unlock method.',
  },
  {
    pattern: 'boot.initrd.luks.fido2Support',
    value: 'true',
    message:
      'boot.initrd.luks.fido2Support is deprecated, and it is unsupported with systemd stage 1. Support will be removed in 26.11 along with scripted stage 1.',
    instead:
      'Enroll the key with `systemd-cryptenroll --fido2-device=auto` and add `crypttabExtraOpts = [ "fido2-device=auto" ]`.',
  },
  {
    pattern: 'boot.initrd.luks.yubikeySupport',
    value: 'true',
    message:
      'boot.initrd.luks.yubikeySupport is deprecated, and it is unsupported with systemd stage 1. Support will be removed in 26.11 along with scripted stage 1.',
    instead: 'Use systemd-cryptenroll (FIDO2) or keep scripted stage 1 for this host.',
  },
];

function valueMatches(ctx: RuleContext, def: Definition, want: 'true' | 'false' | 'any'): boolean {
  if (want === 'any') return true;
  return ctx.file.text.slice(def.value.start, def.value.end) === want;
}

export const rule: Rule = {
  id: 'systemd-initrd-luks-options',
  severity: 'error',
  title: 'LUKS option rejected by the stage 1 in effect',
  docs: {
    summary:
      'LUKS options that luksroot.nix asserts against: under systemd stage 1 `fallbackToPassword = true`, `preLVM = false`, ' +
      'any `reusePassphrases`, `gpgSupport`, `fido2Support`, `yubikeySupport`, an `encrypted.keyFile` under `/mnt-root` ' +
      '(encrypted-devices.nix); under scripted stage 1 `keyFileTimeout`.',
    why:
      'These are evaluation failures, and they appear exactly at the upgrade that turns systemd stage 1 on (the default ' +
      'from NixOS 26.05): a configuration that built for years stops building, typically on the machine that needs the ' +
      'upgrade. The messages come from nixpkgs\' luksroot.nix, e.g. "boot.initrd.luks.devices.<name>.preLVM is not ' +
      'used by systemd stage 1." and "systemd stage 1 does not support GPG smartcards yet."; conversely ' +
      '"boot.initrd.luks.devices.<name>.keyFileTimeout is only supported for systemd initrd".',
    bad: 'boot.initrd.systemd.enable = true;\nboot.initrd.luks.devices.root = {\n  device = "/dev/disk/by-uuid/…";\n  preLVM = false;\n};',
    good: 'boot.initrd.systemd.enable = true;\nboot.initrd.luks.devices.root.device = "/dev/disk/by-uuid/…";',
    fix:
      'Remove the option or move to the systemd way (`systemd-cryptenroll` for FIDO2/TPM2, `crypttabExtraOpts`). When ' +
      'the NixOS release is unknown the finding is a warning naming both stage 1s; set `nixboot.nixosRelease` or keep a ' +
      'flake.lock next to the configuration.',
    references: [
      'nixpkgs nixos/modules/system/boot/luksroot.nix (assertions; read from the stored revision in the code index)',
      'nixpkgs#435781 (systemd stage 1 by default, 26.05)',
      'brief nixos-boot-facts.md §C, §H 12',
    ],
  },
  check(ctx) {
    const s = ctx.project.stageOne;
    if (s.systemd !== false) {
      for (const r of SYSTEMD_REJECTS) {
        for (const def of ctx.definitions(r.pattern)) {
          if (!valueMatches(ctx, def, r.value)) continue;
          ctx.report({
            start: def.key.start,
            end: def.value.end,
            ...(s.systemd === undefined ? { severity: 'warning' as const } : {}),
            message:
              (s.systemd
                ? `Systemd stage 1 is in effect (${s.reason}): evaluation fails with "${r.message}" `
                : `With systemd stage 1 (the default from NixOS 26.05; ${s.reason}) evaluation fails with "${r.message}" `) +
              r.instead,
          });
        }
      }
    }
    if (s.systemd !== false) {
      // encrypted-devices.nix: under systemd stage 1 file systems are mounted at /sysroot, not /mnt-root.
      for (const def of ctx.definitions('fileSystems.*.encrypted.keyFile')) {
        const v = plainString(def.value, ctx.file.text);
        if (v === undefined || !(v.startsWith('/mnt-root') || v.startsWith('$targetRoot'))) continue;
        ctx.report({
          start: def.value.start,
          end: def.value.end,
          ...(s.systemd === undefined ? { severity: 'warning' as const } : {}),
          message:
            (s.systemd
              ? `Systemd stage 1 is in effect (${s.reason}): evaluation fails with "Bad use of '/mnt-root' or '$targetRoot' in 'keyFile'." `
              : `With systemd stage 1 (the default from NixOS 26.05; ${s.reason}) evaluation fails with "Bad use of '/mnt-root' or '$targetRoot' in 'keyFile'." `) +
            "systemd stage 1 mounts file systems at /sysroot and waits for the key file's mounts itself: give the path as seen from the new root, " +
            `e.g. "${v.replace(/^(\/mnt-root|\$targetRoot)/, '/sysroot')}".`,
        });
      }
    }
    if (s.systemd !== true) {
      for (const def of ctx.definitions('boot.initrd.luks.devices.*.keyFileTimeout')) {
        if (ctx.file.text.slice(def.value.start, def.value.end) === 'null') continue;
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          ...(s.systemd === undefined ? { severity: 'warning' as const } : {}),
          message:
            `keyFileTimeout only works with systemd stage 1: with scripted stage 1 (${s.reason}) evaluation fails with ` +
            '"boot.initrd.luks.devices.<name>.keyFileTimeout is only supported for systemd initrd". Remove it or enable boot.initrd.systemd.',
        });
      }
    }
  },
};
