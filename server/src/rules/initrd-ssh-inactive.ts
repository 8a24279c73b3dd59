// Rule initrd-ssh-inactive: initrd SSH enabled while stage-1 networking is off, so the module does nothing.
import { anyTrue, copiedPrefix, literalBools, siblingInsert } from '../nixos/options-query';
import type { Fix, Rule } from './types';
import { absence } from './util';

export const rule: Rule = {
  id: 'initrd-ssh-inactive',
  severity: 'warning',
  title: 'Initrd SSH is enabled but stage-1 networking is not',
  docs: {
    summary:
      '`boot.initrd.network.ssh.enable = true` without `boot.initrd.network.enable` or `boot.initrd.systemd.network.enable`.',
    why:
      'initrd-ssh.nix only acts when `(boot.initrd.network.enable || boot.initrd.systemd.network.enable) && ssh.enable`. ' +
      'Without stage-1 networking the whole module is silently off: no sshd, no host keys in the initrd, no assertion, ' +
      'no warning. The rebuild succeeds, the machine reboots to its passphrase prompt, and nobody can reach it to type ' +
      'the passphrase.',
    bad: 'boot.initrd.network.ssh.enable = true;',
    good: 'boot.initrd.network.enable = true;\nboot.initrd.network.ssh.enable = true;',
    fix:
      'Enable stage-1 networking: `boot.initrd.network.enable = true;` (scripted stage 1, and also honoured by systemd ' +
      'stage 1) or `boot.initrd.systemd.network.enable = true;` with systemd stage 1; remember the NIC driver (see ' +
      'initrd-network-driver). The quick fix adds `boot.initrd.network.enable = true;` next to the SSH option when ' +
      'the attribute path allows it.\n\n' +
      '**When it stays silent.** This is a claim of absence (no file enables stage-1 networking), made only for a closed ' +
      'host (every module it includes was read). A host importing modules the linter cannot read gets a hint naming ' +
      'them; a file no host includes gets nothing; a computed value or a copied parent set ' +
      '(`boot.initrd.systemd.network = config.systemd.network;`) counts as possibly on.',
    references: [
      'nixpkgs nixos/modules/system/boot/initrd-ssh.nix (`enabled = (initrd.network.enable || initrd.systemd.network.enable) && cfg.enable`)',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    if (anyTrue(p, 'boot.initrd.network.enable') || anyTrue(p, 'boot.initrd.systemd.network.enable')) return;
    // A computed value (e.g. `enable = cfg.remoteUnlock`) may be true: stay silent.
    const computed = [
      ...p.definitions('boot.initrd.network.enable'),
      ...p.definitions('boot.initrd.systemd.network.enable'),
    ].some(({ file, def }) => !['true', 'false'].includes(file.text.slice(def.value.start, def.value.end)));
    if (computed) return;
    // A copied parent set (`boot.initrd.systemd.network = config.systemd.network;`) may enable it.
    if (
      copiedPrefix(p, 'boot.initrd.network.enable') ||
      copiedPrefix(p, 'boot.initrd.systemd.network.enable')
    )
      return;
    // An absence claim: only for a closed host; a hint when modules could not be read; nothing for a file no host includes.
    const certainty = absence(p);
    if (certainty.kind === 'unplaced') return;
    for (const def of ctx.definitions('boot.initrd.network.ssh.enable')) {
      if (!literalBools(p, 'boot.initrd.network.ssh.enable', true).some((l) => l.def === def)) continue;
      const edit = siblingInsert(ctx.file, def, ['boot', 'initrd', 'network', 'enable'], 'true');
      const fixes: Fix[] = edit
        ? [
            {
              title: 'Enable stage-1 networking (boot.initrd.network.enable)',
              edits: [edit],
              safe: false,
              preferred: true,
            },
          ]
        : [];
      if (certainty.kind === 'open') {
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          severity: 'hint',
          message:
            'boot.initrd.network.ssh.enable only acts with boot.initrd.network.enable or boot.initrd.systemd.network.enable, which no file read for this host sets; ' +
            `the host imports modules that could not be read and may set them: ${certainty.notChecked}.`,
          fixes,
        });
        continue;
      }
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          'boot.initrd.network.ssh.enable has no effect: initrd-ssh.nix only acts when boot.initrd.network.enable or boot.initrd.systemd.network.enable is also on. ' +
          'No sshd will run in stage 1, and nothing warns at build time. Enable stage-1 networking.',
        fixes,
      });
    }
  },
};
