// Rule initrd-secret-in-store: private keys and secrets written as Nix path literals, which copies
// them into the world-readable /nix/store.
import { nodes, unparen } from '../nixos/definitions';
import { anyTrue, items, plainString } from '../nixos/options-query';
import type { SyntaxNode } from '../syntax/tree';
import type { Fix, Rule, RuleContext } from './types';

/** A plain path literal like `./key` or `/etc/secrets/key` (no interpolation). */
function pathLiteral(n: SyntaxNode | undefined, text: string): string | undefined {
  const u = unparen(n);
  if (!u || u.kind !== 'Path' || nodes(u).length > 0) return undefined;
  return text.slice(u.start, u.end);
}

function report(ctx: RuleContext, n: SyntaxNode, option: string, what: string): void {
  const path = pathLiteral(n, ctx.file.text)!;
  const u = unparen(n)!;
  const absolute = path.startsWith('/');
  const fixes: Fix[] = absolute
    ? [
        {
          title: `Write it as the string "${path}" (read at activation, not copied into the store)`,
          edits: [{ start: u.start, end: u.end, newText: JSON.stringify(path) }],
          safe: true,
          preferred: true,
        },
      ]
    : [];
  ctx.report({
    start: u.start,
    end: u.end,
    message:
      `${option}: the path literal ${path} copies ${what} into the world-readable /nix/store at evaluation. ` +
      (absolute
        ? `Write it as a string, "${path}", so it is read from the machine when the boot loader is installed.`
        : 'Keep the file on the machine (e.g. /etc/secrets/initrd/…) and give its location as a string.'),
    fixes,
  });
}

export const rule: Rule = {
  id: 'initrd-secret-in-store',
  severity: 'error',
  title: 'A stage-1 secret is a path literal: it ends up in the Nix store',
  docs: {
    summary:
      'A private key or secret for stage 1 given as a Nix path literal: `boot.initrd.network.ssh.hostKeys = [ ./ssh_host_ed25519_key ]`, ' +
      '`boot.initrd.secrets."/key" = /etc/secrets/key;`, or a key-like file as `boot.initrd.systemd.contents.<path>.source`.',
    why:
      'A path literal is copied into /nix/store when the configuration is evaluated, and the store is readable by every ' +
      'user and every process on the machine (and by anyone with the binary cache or a copy of the closure). ' +
      'initrd-ssh.nix even copies path-typed `hostKeys` into a store derivation on purpose (its `apply`); its ' +
      'documentation warns "Do NOT use your regular SSH host private keys for this purpose". A string instead names a ' +
      'file on the machine: with a boot loader that supports initrd secrets (systemd-boot, GRUB) it is appended to the ' +
      'initrd at install time and never enters the store. In a flake, even a relative path literal to an untracked key ' +
      'file ends up in the store.',
    bad: 'boot.initrd.network.ssh.hostKeys = [ /etc/secrets/initrd/ssh_host_ed25519_key ];',
    good: 'boot.initrd.network.ssh.hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];',
    fix:
      'Generate the key on the machine (`ssh-keygen -t ed25519 -N "" -f /etc/secrets/initrd/ssh_host_ed25519_key`) and ' +
      'give its location as a string. For an absolute path literal the quick fix turns it into the same string (safe: ' +
      'the file is then read at boot-loader install time). Boot loaders that cannot append secrets (extlinux, the ' +
      'Raspberry Pi loader) need path literals in `boot.initrd.secrets` — stage-1.nix asserts it — and store them in ' +
      'the store anyway; the rule says so instead of offering a fix — and flags strings there, which fail evaluation ' +
      '("boot.loader.initrd.secrets values must be unquoted paths when using a bootloader that doesn\'t natively support ' +
      'initrd secrets"). For a relative path there is no automatic fix: move the key ' +
      'out of the repository. Once a secret has been in the store, consider it leaked and replace it.',
    references: [
      'nixpkgs nixos/modules/system/boot/initrd-ssh.nix (hostKeys: apply copies paths to the store; the warning in its description)',
      'nixpkgs nixos/modules/system/boot/stage-1.nix (boot.initrd.secrets: attrsOf (nullOr path); assertion "values must be unquoted paths when using a bootloader that doesn\'t natively support initrd secrets")',
      'brief nixos-boot-facts.md §B, §E (initrd secrets), §H 8',
    ],
  },
  check(ctx) {
    for (const def of ctx.definitions('boot.initrd.network.ssh.hostKeys')) {
      for (const it of items(def.value))
        if (pathLiteral(it, ctx.file.text)) report(ctx, it, def.path.join('.'), 'the private host key');
    }
    // Loaders that cannot append secrets need path literals (stage-1.nix asserts it): the secret is
    // in the store either way there, which is a different problem (the message says so).
    const p = ctx.project;
    const unsupported = [
      'boot.loader.generic-extlinux-compatible.enable',
      'boot.loader.raspberryPi.enable',
      'boot.loader.initScript.enable',
    ].find((o) => anyTrue(p, o));
    if (unsupported) {
      // The opposite trap: strings (file locations) where this loader needs path literals.
      const strings = [
        ...ctx
          .definitions('boot.initrd.secrets.*')
          .map((d) => ({ d, n: d.value, what: `boot.initrd.secrets."${d.path[3]}"` })),
        ...ctx.definitions('boot.initrd.network.ssh.hostKeys').flatMap((d) =>
          items(d.value).map((n) => ({
            d,
            n,
            what: 'boot.initrd.network.ssh.hostKeys (added to boot.initrd.secrets by initrd-ssh.nix)',
          })),
        ),
      ];
      for (const { n, what } of strings) {
        const v = plainString(n, ctx.file.text);
        if (v === undefined || v.startsWith('/nix/store/')) continue;
        const u = unparen(n)!;
        ctx.report({
          start: u.start,
          end: u.end,
          message:
            `${what} is the string "${v}", but ${unsupported.replace(/\.enable$/, '')} cannot append secrets to the initrd: evaluation fails with ` +
            '"boot.loader.initrd.secrets values must be unquoted paths when using a bootloader that doesn\'t natively support initrd secrets". ' +
            'A path literal would work but stores the secret world-readable; prefer a boot loader with initrd secrets (systemd-boot, GRUB).',
        });
      }
    }
    for (const def of ctx.definitions('boot.initrd.secrets.*')) {
      if (!pathLiteral(def.value, ctx.file.text)) continue;
      if (unsupported) {
        ctx.report({
          start: def.value.start,
          end: def.value.end,
          message:
            `boot.initrd.secrets."${def.path[3]}": ${unsupported.replace(/\.enable$/, '')} cannot append secrets to the initrd, so nixpkgs requires a path literal here and the secret is copied world-readable into /nix/store ` +
            '("Note that this will result in all secrets being stored world-readable in the Nix store!"). Use systemd-boot or GRUB, or do not put real secrets in stage 1.',
        });
        continue;
      }
      report(ctx, def.value, `boot.initrd.secrets."${def.path[3]}"`, 'the secret');
    }
    for (const def of ctx.definitions('boot.initrd.systemd.contents.*.source')) {
      const p = pathLiteral(def.value, ctx.file.text);
      if (p && /(_key|\.key|secret|passphrase|password|\.pem)$/i.test(p))
        report(ctx, def.value, def.path.join('.'), 'what looks like a secret');
    }
  },
};
