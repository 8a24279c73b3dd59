// Rule grub-password-in-store: GRUB passwords written into the configuration, hence into the store.
import type { Rule } from './types';

export const rule: Rule = {
  id: 'grub-password-in-store',
  severity: 'warning',
  title: 'GRUB password written into the configuration',
  docs: {
    summary:
      '`boot.loader.grub.users.<name>.password` or `hashedPassword` given in the configuration instead of a file.',
    why:
      "GRUB users protect the boot menu's command line and non-default entries — the usual defence against " +
      '`init=/bin/sh` at the boot menu (see boot-editor-root for systemd-boot). grub.nix documents that `password` ' +
      '"will be copied to the Nix store, and will be visible to all local users", and that `hashedPassword` likewise ' +
      'ends up in the store. Anyone with a shell on the machine (or a copy of the closure) reads the clear text, or ' +
      'brute-forces the PBKDF2 hash offline; `password` in clear text also lands in /boot/grub/grub.cfg.',
    bad: 'boot.loader.grub.users.root.password = "correct horse";',
    good: 'boot.loader.grub.users.root.hashedPasswordFile = "/etc/secrets/grub-root.pbkdf2";',
    fix:
      'Generate the hash with `grub-mkpasswd-pbkdf2`, store it in a root-only file on the machine and use ' +
      '`hashedPasswordFile` (a string path, so it is not copied into the store). Change the password if it was ever ' +
      'in the store.',
    references: [
      'nixpkgs nixos/modules/system/boot/loader/grub/grub.nix (users.<name>.password, hashedPassword, hashedPasswordFile descriptions)',
    ],
  },
  check(ctx) {
    for (const field of ['password', 'hashedPassword']) {
      for (const def of ctx.definitions(`boot.loader.grub.users.*.${field}`)) {
        if (ctx.file.text.slice(def.value.start, def.value.end) === 'null') continue;
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          message:
            `boot.loader.grub.users."${def.path[4]}".${field} is copied into the Nix store, readable by every local user` +
            (field === 'password' ? ' (and in clear text in /boot/grub/grub.cfg)' : '') +
            '. Use hashedPasswordFile with a root-only file made by grub-mkpasswd-pbkdf2.',
        });
      }
    }
  },
};
