// Rule initrd-ssh-incomplete: initrd SSH that cannot work (no host key, no authorized key), stage-1
// networking with no way in, and an initrd sshd on the main sshd's port.
import {
  anyTrue,
  copiedPrefix,
  hasOpaqueParts,
  isDefined,
  items,
  literalBools,
} from '../nixos/options-query';
import type { ProjectModel, Rule } from './types';
import { absence, literalInt } from './util';

const WAYS_IN = [
  'boot.initrd.network.ssh.enable',
  'boot.initrd.network.postCommands',
  'boot.initrd.network.tor.enable',
  'boot.initrd.clevis.enable',
  'boot.initrd.systemd.services.*.script',
  'boot.initrd.systemd.services.*.serviceConfig',
  'boot.iscsi-initiator.name',
  'boot.initrd.preLVMCommands',
  'boot.initrd.postDeviceCommands',
];

const cache = new WeakMap<ProjectModel, Map<string, boolean>>();

/** Whether a list option has a non-empty (or computed) value somewhere in the project; memoised per project. */
function nonEmptyList(project: ProjectModel, dotted: string): boolean {
  let m = cache.get(project);
  if (!m) cache.set(project, (m = new Map()));
  let hit = m.get(dotted);
  if (hit === undefined) {
    hit =
      project
        .definitions(dotted)
        .some(({ def }) => items(def.value).length > 0 || hasOpaqueParts(def.value)) ||
      copiedPrefix(project, dotted) !== undefined;
    m.set(dotted, hit);
  }
  return hit;
}

const networkCache = new WeakMap<ProjectModel, boolean>();

/** Whether anything in the project uses stage-1 networking (SSH, hooks, clevis, a network root); once per project. */
function usesStage1Network(p: ProjectModel): boolean {
  let hit = networkCache.get(p);
  if (hit === undefined) {
    hit =
      WAYS_IN.some((w) => isDefined(p, w)) ||
      p
        .definitions('fileSystems.*.fsType')
        .some(({ file, def }) => /nfs|cifs|iscsi/.test(file.text.slice(def.value.start, def.value.end)));
    networkCache.set(p, hit);
  }
  return hit;
}

export const rule: Rule = {
  id: 'initrd-ssh-incomplete',
  severity: 'error',
  title: 'Initrd SSH without host keys or authorized keys, or on the main sshd port',
  docs: {
    summary:
      '`boot.initrd.network.ssh.enable` (with stage-1 networking on) without `hostKeys` or without any authorized key ' +
      '(evaluation fails); ' +
      '`boot.initrd.network.enable` with no SSH and no other use of the network; the initrd sshd left on port 22 while ' +
      'the main sshd also listens on 22.',
    why:
      'initrd-ssh.nix asserts "You should specify at least one authorized key for initrd SSH" (authorizedKeys and ' +
      'authorizedKeyFiles both default to root\'s `users.users.root.openssh.authorizedKeys`) and "You must now ' +
      'pre-generate the host keys for initrd SSH" unless `ignoreEmptyHostKeys` is set. Those stop the rebuild, which is ' +
      'the good case; the rule says so before you deploy. Stage-1 networking with nothing that uses it only slows the ' +
      'boot (DHCP in stage 1) — usually the SSH part was forgotten. When the initrd sshd and the main sshd both use ' +
      'port 22 with different host keys, every unlock (or every normal login afterwards) meets "REMOTE HOST ' +
      'IDENTIFICATION HAS CHANGED", and people learn to ignore that warning — or the unlock script fails on it at 3 am ' +
      "(seed 001's remote-unlock setup used port 2222 for this reason).",
    bad: 'boot.initrd.network = {\n  enable = true;\n  ssh.enable = true;\n};',
    good:
      'boot.initrd.network = {\n  enable = true;\n  ssh = {\n    enable = true;\n    port = 2222;\n' +
      '    hostKeys = [ "/etc/secrets/initrd/ssh_host_ed25519_key" ];\n    authorizedKeys = [ "ssh-ed25519 AAAA… me@laptop" ];\n  };\n};',
    fix:
      'Generate a dedicated host key on the machine (`ssh-keygen -t ed25519 -N "" -f /etc/secrets/initrd/ssh_host_ed25519_key`) ' +
      "and list it as a string in `hostKeys`; add your public key to `authorizedKeys` (or to root's " +
      '`openssh.authorizedKeys.keys`); give the initrd sshd its own port (e.g. 2222) and a separate `Host` entry in ' +
      '`~/.ssh/config`.\n\n' +
      '**When it stays silent.** Missing host keys or authorized keys are errors only for a closed host (every module it ' +
      'includes was read); a host importing modules the linter cannot read gets a hint naming them instead, and a file ' +
      'no host includes gets nothing. Keys count when set anywhere in the host: `authorizedKeys`, `authorizedKeyFiles`, ' +
      'or their defaults `users.users.root.openssh.authorizedKeys.keys` / `.keyFiles`; a computed list or a copied ' +
      'parent set counts as set. "Nothing uses stage-1 networking" and the port-22 clash (when it relies on the ' +
      'default port of the main sshd) are hints for a host that imports modules the linter cannot read.',
    references: [
      'nixpkgs nixos/modules/system/boot/initrd-ssh.nix (assertions; port default 22; authorizedKeys default)',
      'nixpkgs nixos/modules/system/boot/initrd-network.nix',
      'brief nixos-boot-facts.md §B',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const certainty = absence(p);
    if (certainty.kind === 'unplaced') return;
    const missing = (what: string, certain: string): void => {
      if (certainty.kind === 'certain') ctx.report({ ...where0!, message: certain });
      else
        ctx.report({
          ...where0!,
          severity: 'hint',
          message: `boot.initrd.network.ssh is enabled and no file read for this host sets ${what} (evaluation needs it), but the host imports modules that could not be read: ${certainty.notChecked}.`,
        });
    };
    let where0: { start: number; end: number } | undefined;
    // initrd-ssh.nix only acts (and asserts) when stage-1 networking is on; otherwise initrd-ssh-inactive reports it.
    const networkDefs = [
      ...p.definitions('boot.initrd.network.enable'),
      ...p.definitions('boot.initrd.systemd.network.enable'),
    ];
    const networkMaybeOn = networkDefs.some(
      ({ file, def }) => file.text.slice(def.value.start, def.value.end) !== 'false',
    );
    for (const def of networkMaybeOn ? ctx.definitions('boot.initrd.network.ssh.enable') : []) {
      if (!literalBools(p, 'boot.initrd.network.ssh.enable', true).some((l) => l.def === def)) continue;
      const where = { start: def.key.start, end: def.value.end };
      where0 = where;
      if (
        !nonEmptyList(p, 'boot.initrd.network.ssh.hostKeys') &&
        !anyTrue(p, 'boot.initrd.network.ssh.ignoreEmptyHostKeys')
      ) {
        missing(
          'boot.initrd.network.ssh.hostKeys',
          'boot.initrd.network.ssh is enabled without hostKeys: evaluation fails ("You must now pre-generate the host keys for initrd SSH"). ' +
            'Generate a dedicated key on the machine and list its location as a string in boot.initrd.network.ssh.hostKeys.',
        );
      }
      const keys = [
        'boot.initrd.network.ssh.authorizedKeys',
        'boot.initrd.network.ssh.authorizedKeyFiles',
        'users.users.root.openssh.authorizedKeys.keys',
        'users.users.root.openssh.authorizedKeys.keyFiles',
      ];
      if (!keys.some((k) => nonEmptyList(p, k))) {
        missing(
          "an authorized key (authorizedKeys, authorizedKeyFiles, or root's openssh.authorizedKeys)",
          'boot.initrd.network.ssh is enabled without any authorized key: evaluation fails ("You should specify at least one authorized key for initrd SSH"). ' +
            'Set boot.initrd.network.ssh.authorizedKeys (it defaults to users.users.root.openssh.authorizedKeys.keys).',
        );
      }
      const ports = p.definitions('boot.initrd.network.ssh.port').map(({ def: d }) => literalInt(d.value));
      const initrdPort = ports.length === 0 ? 22 : ports[ports.length - 1];
      const mainSshd = anyTrue(p, 'services.openssh.enable');
      const mainPorts = p
        .definitions('services.openssh.ports')
        .flatMap(({ def: d }) => items(d.value).map((n) => literalInt(n)));
      const mainOn22 = mainPorts.length === 0 || mainPorts.includes(22);
      if (initrdPort === 22 && mainSshd && mainOn22) {
        // The main sshd's port is its default unless set: a module not read may set it.
        ctx.report({
          ...where,
          severity: certainty.kind === 'certain' || mainPorts.includes(22) ? 'warning' : 'hint',
          message:
            'The initrd sshd listens on port 22 like the main sshd, with a different host key: SSH clients see "REMOTE HOST IDENTIFICATION HAS CHANGED" ' +
            'at every unlock or login. Set boot.initrd.network.ssh.port = 2222 (and a separate Host entry in ~/.ssh/config).',
        });
      }
    }
    for (const def of ctx.definitions('boot.initrd.network.enable')) {
      if (!literalBools(p, 'boot.initrd.network.enable', true).some((l) => l.def === def)) continue;
      if (usesStage1Network(p)) continue;
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        severity: certainty.kind === 'certain' ? 'warning' : 'hint',
        message:
          (certainty.kind === 'open'
            ? `(Not checked: modules of this host that could not be read — ${certainty.notChecked}.) `
            : '') +
          'boot.initrd.network.enable brings the network up in stage 1, but nothing uses it: no boot.initrd.network.ssh, no postCommands, no clevis/tor, no network root file system. ' +
          'For remote unlock, also set boot.initrd.network.ssh.enable with hostKeys and authorizedKeys; otherwise remove it.',
      });
    }
  },
};
