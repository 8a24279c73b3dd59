// Rule initrd-service-not-wanted: a systemd stage-1 service that never starts, or an unlock
// service not ordered before the units it must precede.
import { attrpathParts, bindingParts, DYNAMIC, type Definition } from '../nixos/definitions';
import { stringItems } from '../nixos/options-query';
import type { FileModel, ProjectModel, Rule } from './types';
import { absence } from './util';

const PREFIX = ['boot', 'initrd', 'systemd', 'services'];
const ACTIVATORS = new Set(['wantedBy', 'requiredBy', 'upheldBy']);
const ORDERING = new Set(['before', 'after']);
/**
 * Units that systemd or NixOS modules already define (and start) in stage 1: a definition under their name
 * overrides them. systemd's own (systemd-*, initrd-*, emergency, rescue, debug-shell, templates with @),
 * initrd-ssh.nix's sshd, zfs.nix's zfs-import-*, plymouth's, clevis', tpm2's, kmod-static-nodes.
 */
const UPSTREAM_UNIT =
  /^(systemd-.*|initrd-.*|emergency|rescue|debug-shell|sshd|zfs-import.*|plymouth.*|clevis.*|tpm2.*|kmod-static-nodes|.*@.*)$/;
/** Words in a unit script that make it an unlock helper. */
const UNLOCK_RE =
  /\b(sed-key|sedutil-cli|opal|unlock|load-key|cryptsetup|clevis|tpm2|yubikey|ykchalresp|askpass|hw-key)\b/;
/** Units an unlock helper must come before (or after, when it acts on them). */
const UNLOCK_TARGETS_RE =
  /^(systemd-cryptsetup@.*|cryptsetup(-pre)?\.target|zfs-import.*|sysroot\.mount|initrd-root-device\.target|initrd-root-fs\.target|initrd-fs\.target|local-fs-pre\.target)$/;

function under(def: Definition): string | undefined {
  if (def.path.length < 5) return undefined;
  for (let i = 0; i < PREFIX.length; i++) if (def.path[i] !== PREFIX[i]) return undefined;
  return def.path[4] === DYNAMIC ? undefined : def.path[4];
}

/** The range of the service name in a definition's attribute path (or its key). */
function nameRange(def: Definition): { start: number; end: number } {
  const ap = bindingParts(def.binding).attrpath;
  if (ap) {
    const parts = attrpathParts(ap);
    const i = 4 - (def.path.length - parts.length);
    const part = i >= 0 ? parts[i] : undefined;
    if (part) return { start: part.start, end: part.end };
  }
  return { start: def.key.start, end: def.key.end };
}

interface ProjectServices {
  /** Every definition under boot.initrd.systemd.services.<name>, by name, over all files. */
  readonly byService: Map<string, Array<{ file: FileModel; def: Definition }>>;
  /** Services another unit or target pulls in with wants/requires/upholds. */
  readonly pulledIn: Set<string>;
  /** Text of every stage-1 definition outside the service itself (udev rules, units that name it), per service name. */
  readonly mentions: (name: string) => boolean;
}

const cache = new WeakMap<ProjectModel, ProjectServices>();

/** Computed once per project: the rule runs on every file and must not rescan them all each time. */
function projectServices(p: ProjectModel): ProjectServices {
  let hit = cache.get(p);
  if (hit) return hit;
  const byService = new Map<string, Array<{ file: FileModel; def: Definition }>>();
  const pulledIn = new Set<string>();
  // Units that start a service of their own name (foo.timer, foo.socket, foo.path start foo.service).
  const activatingUnits = new Set<string>();
  // Stage-1 text that may name a unit: other units' settings (OnFailure=, Unit=, Wants=), udev rules (ENV{SYSTEMD_WANTS}).
  const texts: Array<{ text: string; service: string | undefined }> = [];
  for (const file of p.files) {
    for (const def of file.definitions) {
      if (def.path[0] !== 'boot' || def.path[1] !== 'initrd') continue;
      if (def.path[2] === 'services' && def.path[3] === 'udev') {
        texts.push({ text: file.text.slice(def.value.start, def.value.end), service: undefined });
        continue;
      }
      if (def.path[2] !== 'systemd') continue;
      if (
        (def.path[3] === 'timers' || def.path[3] === 'sockets' || def.path[3] === 'paths') &&
        def.path[4] &&
        def.path[4] !== DYNAMIC
      )
        activatingUnits.add(def.path[4]);
      if (def.path.length > 5 || def.path[3] !== 'services')
        texts.push({ text: file.text.slice(def.value.start, def.value.end), service: under(def) });
      const name = under(def);
      if (name !== undefined) {
        const list = byService.get(name) ?? [];
        list.push({ file, def });
        byService.set(name, list);
      }
      const last = def.path[def.path.length - 1];
      if (last === 'wants' || last === 'requires' || last === 'upholds') {
        for (const s of stringItems(def, file.text)) pulledIn.add(s.value.replace(/\.service$/, ''));
      }
    }
  }
  const mentions = (name: string): boolean =>
    activatingUnits.has(name) ||
    texts.some(
      (t) =>
        t.service !== name &&
        (t.text.includes(`${name}.service`) || (t.text.includes('SYSTEMD_WANTS') && t.text.includes(name))),
    );
  hit = { byService, pulledIn, mentions };
  cache.set(p, hit);
  return hit;
}

export const rule: Rule = {
  id: 'initrd-service-not-wanted',
  severity: 'warning',
  title: 'A stage-1 systemd service that never runs, or runs unordered',
  docs: {
    summary:
      'A `boot.initrd.systemd.services.<name>` with a `script` or `ExecStart` but no `wantedBy`/`requiredBy` (nothing ' +
      'starts it), or an unlock service (its script calls sed-key, cryptsetup, zfs load-key, clevis …) with no ' +
      '`before`/`after` ordering against the cryptsetup/ZFS units and `sysroot.mount`.',
    why:
      'In stage 1 nothing starts a unit unless a target pulls it in: without `wantedBy = [ "initrd.target" ]` (or ' +
      '`requiredBy`) the service is copied into the initrd and silently never runs. systemd starts everything else in ' +
      'parallel, so an unlock helper without ordering races `systemd-cryptsetup@…` and `sysroot.mount`: sometimes it ' +
      "wins, sometimes the passphrase prompt or the mount comes first and the boot fails. Seed 000's `nvme-hw-key` " +
      'service had to be `Before=systemd-cryptsetup@…` to unlock the drive in time.',
    bad: 'boot.initrd.systemd.services.nvme-hw-key = {\n  script = "sed-key unlock /dev/nvme0n1";\n};',
    good:
      'boot.initrd.systemd.services.nvme-hw-key = {\n  wantedBy = [ "initrd.target" ];\n  before = [ "systemd-cryptsetup@root.service" ];\n' +
      '  unitConfig.DefaultDependencies = false;\n  script = "sed-key unlock /dev/nvme0n1";\n};',
    fix:
      'Add `wantedBy = [ "initrd.target" ];` (or `requiredBy` when boot must stop if it fails) and order unlock helpers ' +
      'with `before = [ "systemd-cryptsetup@<name>.service" ]` (or `cryptsetup-pre.target`, `zfs-import-<pool>.service`, ' +
      "`sysroot.mount`), usually with `unitConfig.DefaultDependencies = false;`. A service pulled in by another unit's " +
      "`wants`/`requires` or by a target's `wants` is not flagged.\n\n" +
      '**When it stays silent.** A service counts as started when it has `wantedBy`, `requiredBy` or `upheldBy` (or the ' +
      '`unitConfig` forms), when another stage-1 unit wants, requires or upholds it, names `NAME.service` anywhere in its ' +
      'settings (`OnFailure=`, `Unit=`, `onFailure`), when a timer, socket or path unit of the same name exists, or when a ' +
      'udev rule in `boot.initrd.services.udev.rules` pulls it in with `ENV{SYSTEMD_WANTS}`. Definitions under the name of ' +
      'a unit systemd or a NixOS module already defines (sshd, emergency, `systemd-cryptsetup@…`, `initrd-*`, ' +
      '`zfs-import-*`) are overrides and are not judged. Both findings are claims of absence, so they are only made ' +
      'for a closed host (every module it includes was read) and never for a file no host includes.',
    references: [
      'nixpkgs nixos/modules/system/boot/systemd/initrd.nix (initrd.target aliases default.target; initrd-nixos-activation uses requiredBy)',
      'nixpkgs nixos/modules/system/boot/initrd-ssh.nix (the sshd unit: wantedBy initrd.target, DefaultDependencies = false)',
      'seed 000 (nvme-hw-key ordered before systemd-cryptsetup@)',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const services = new Map<string, Definition[]>();
    for (const def of ctx.file.definitions) {
      const name = under(def);
      if (name === undefined) continue;
      const list = services.get(name) ?? [];
      list.push(def);
      services.set(name, list);
    }
    if (services.size === 0) return;
    // Both findings are claims of absence (no unit starts it, nothing orders it): only for a closed host.
    if (absence(p).kind !== 'certain') return;
    const { byService, pulledIn, mentions } = projectServices(p);
    for (const [name, defs] of services) {
      const about = byService.get(name) ?? [];
      const keys = new Set(about.map(({ def }) => def.path[5]).filter((k): k is string => !!k));
      const runs = about.some(
        ({ def }) =>
          def.path[5] === 'script' || (def.path[5] === 'serviceConfig' && def.path[6] === 'ExecStart'),
      );
      if (!runs) continue; // an override of a module's unit, or an enable = false
      if (
        about.some(
          ({ def }) =>
            def.path[5] === 'enable' && ctx.file.text.slice(def.value.start, def.value.end) === 'false',
        )
      )
        continue;
      const anchor = defs.find((d) => d.path.length === 5) ?? defs[0]!;
      const at = nameRange(anchor);
      if (UPSTREAM_UNIT.test(name)) continue; // an override of a unit systemd or a NixOS module defines
      if (
        about.some(
          ({ def }) =>
            def.path[5] === 'unitConfig' && /^(WantedBy|RequiredBy|UpheldBy)$/.test(def.path[6] ?? ''),
        )
      )
        continue;
      if (![...keys].some((k) => ACTIVATORS.has(k)) && !pulledIn.has(name) && !mentions(name)) {
        ctx.report({
          ...at,
          message:
            `boot.initrd.systemd.services.${name} has no wantedBy or requiredBy, and no other unit wants it: it is copied into the initrd but never started. ` +
            'Add `wantedBy = [ "initrd.target" ];` (or requiredBy, if the boot must stop when it fails).',
        });
        continue;
      }
      const script = about.find(({ def }) => def.path[5] === 'script');
      const scriptText = script ? script.file.text.slice(script.def.value.start, script.def.value.end) : '';
      // Judged by what the script does, not by the unit's name; a unit that only writes the SSH login shell's
      // .profile, or that another unit starts on failure (OnFailure=), races nothing.
      const unlock = UNLOCK_RE.test(scriptText) && !/>>?\s*\S*\.profile\b/.test(scriptText);
      if (!unlock) continue;
      if (![...keys].some((k) => ACTIVATORS.has(k)) && !pulledIn.has(name)) continue;
      const ordered = about.some(
        ({ file, def }) =>
          ORDERING.has(def.path[5] ?? '') &&
          stringItems(def, file.text).some((s) => UNLOCK_TARGETS_RE.test(s.value)),
      );
      const orderedRaw = about.some(
        ({ def }) => def.path[5] === 'unitConfig' && (def.path[6] === 'Before' || def.path[6] === 'After'),
      );
      if (ordered || orderedRaw) continue;
      ctx.report({
        ...at,
        message:
          `boot.initrd.systemd.services.${name} looks like an unlock helper but is not ordered against the units it must precede: it races systemd-cryptsetup@…, zfs-import and sysroot.mount. ` +
          'Add e.g. `before = [ "systemd-cryptsetup@<name>.service" ];` (or cryptsetup-pre.target, zfs-import-<pool>.service, sysroot.mount) and `unitConfig.DefaultDependencies = false;`.',
      });
    }
  },
};
