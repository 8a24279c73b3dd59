// Rule stage1-mount-not-needed-for-boot: a mount that stage 1 or early activation needs, without
// neededForBoot; and fsType "auto" for stage-1 mounts under systemd stage 1.
import { attrpathParts, bindingParts, DYNAMIC, unparen, type Definition } from '../nixos/definitions';
import {
  appendToSet,
  bindingIn,
  boolOf,
  copiedPrefix,
  items,
  plainString,
  stringItems,
} from '../nixos/options-query';
import type { Fix, ProjectModel, Rule } from './types';
import { PATHS_NEEDED_FOR_BOOT } from '../nixos/stage1Contents';
import { absence } from './util';

/** The range of the mount point in a dotted definition like `fileSystems."/state".device = …`. */
function mountPointRange(def: Definition): { start: number; end: number } {
  const ap = bindingParts(def.binding).attrpath;
  const parts = ap ? attrpathParts(ap) : [];
  const part = parts[1 - (def.path.length - parts.length)];
  return part ? { start: part.start, end: part.end } : { start: def.key.start, end: def.key.end };
}

interface ProjectMounts {
  /** Locations the early boot reads (impermanence roots, sops key files). */
  readonly early: Set<string>;
  /** Mount points with neededForBoot = true, or a value that is not literally false (`inherit neededForBoot;`, a helper argument). */
  readonly needed: Set<string>;
  /** Mount points whose whole definition is computed (`fileSystems."/persist" = mkFs …;`): nothing is known about them. */
  readonly opaque: Set<string>;
}

const cache = new WeakMap<ProjectModel, ProjectMounts>();

/** Computed once per project (the rule runs on every file). */
function projectMounts(project: ProjectModel): ProjectMounts {
  let hit = cache.get(project);
  if (!hit) {
    const needed = new Set<string>();
    for (const { def } of project.definitions('fileSystems.*.neededForBoot')) {
      if (boolOf(def.value) !== false) needed.add(def.path[1]!);
    }
    const opaque = new Set<string>();
    for (const { def } of project.definitions('fileSystems.*')) {
      const u = unparen(def.value);
      if (u && u.kind !== 'AttrSet') opaque.add(def.path[1]!);
    }
    hit = { early: mountPointsOf(project), needed, opaque };
    cache.set(project, hit);
  }
  return hit;
}

function mountPointsOf(project: ProjectModel): Set<string> {
  const out = new Set<string>();
  // Impermanence: environment.persistence."/persist" = { … };
  for (const f of project.files) {
    for (const def of f.definitions) {
      if (
        def.path[0] === 'environment' &&
        def.path[1] === 'persistence' &&
        def.path.length >= 3 &&
        def.path[2] !== DYNAMIC
      )
        out.add(def.path[2]!);
    }
  }
  // sops-nix / agenix key locations and SSH host keys (which agenix and sops-nix decrypt with).
  for (const pat of ['sops.age.keyFile', 'sops.gnupg.home']) {
    for (const { file, def } of project.definitions(pat)) {
      const v = plainString(def.value, file.text);
      if (v) out.add(v);
    }
  }
  for (const pat of ['age.identityPaths', 'sops.age.sshKeyPaths']) {
    for (const { file, def } of project.definitions(pat))
      for (const s of stringItems(def, file.text)) out.add(s.value);
  }
  for (const { file, def } of project.definitions('services.openssh.hostKeys')) {
    for (const it of items(def.value)) {
      const entry = unparen(it);
      const path = entry?.kind === 'AttrSet' ? bindingIn(entry, 'path', file.text) : undefined;
      const v = path ? plainString(path.value, file.text) : undefined;
      if (v) out.add(v);
    }
  }
  return out;
}

export const rule: Rule = {
  id: 'stage1-mount-not-needed-for-boot',
  severity: 'warning',
  title: 'An early-boot mount without neededForBoot, or fsType "auto" in the systemd initrd',
  docs: {
    summary:
      'A file system holding state the early boot reads (`/persist` and other impermanence roots, secret and host-key ' +
      'locations) without `neededForBoot = true`; and `fsType = "auto"` for a file system stage 1 mounts while systemd ' +
      'stage 1 is in effect.',
    why:
      'Stage 1 mounts only `/`, `/nix`, `/nix/store`, `/var`, `/var/log`, `/var/lib`, `/var/lib/nixos`, `/etc`, `/usr` ' +
      '(nixpkgs lib/utils.nix pathsNeededForBoot) and file systems with `neededForBoot = true`. Impermanence bind-mounts ' +
      'and sops-nix/agenix decrypt secrets during activation, right after stage 1: when `/persist` is still unmounted ' +
      'they read an empty directory — lost host keys (new SSH fingerprints), missing secrets, users without passwords. ' +
      'Under systemd stage 1, `fsType = "auto"` makes mount probe file systems whose module is not loaded yet, which ' +
      'sends the boot to emergency mode now and then (nixpkgs#549440).',
    bad: 'environment.persistence."/persist".directories = [ "/var/lib/nixos" ];\nfileSystems."/persist" = {\n  device = "/dev/disk/by-label/persist";\n  fsType = "ext4";\n};',
    good: 'environment.persistence."/persist".directories = [ "/var/lib/nixos" ];\nfileSystems."/persist" = {\n  device = "/dev/disk/by-label/persist";\n  fsType = "ext4";\n  neededForBoot = true;\n};',
    fix:
      'Add `neededForBoot = true;` to the file system (the quick fix does, safe). For stage-1 mounts under systemd stage 1 ' +
      'write the real `fsType` and list it in `boot.initrd.supportedFilesystems`.\n\n' +
      '**When it stays silent.** A mount is judged by what the host reads from it early, never by its name: an ' +
      '`environment.persistence` root (impermanence), a sops-nix/agenix key location (`sops.age.keyFile`, ' +
      '`sops.age.sshKeyPaths`, `age.identityPaths`) or an SSH host key path (`services.openssh.hostKeys`) at or below ' +
      'the mount point. A `/persist` that nothing of the host reads early is plain data and is not reported. Also silent when `neededForBoot` has a value that is not literally false (`inherit neededForBoot;`, a ' +
      'helper argument), when the mount\'s whole definition is computed (`fileSystems."/persist" = mkFs …;`) or copied, ' +
      'and for a file no host includes. For a host that imports modules the linter cannot read it gives a hint naming ' +
      'them instead of a warning. The fsType "auto" finding is skipped when another definition gives the mount a real type.',
    references: [
      'nixpkgs nixos/lib/utils.nix (pathsNeededForBoot, fsNeededForBoot)',
      'nixpkgs nixos/modules/tasks/filesystems.nix (neededForBoot)',
      'nixpkgs#549440 (fsType auto in the systemd initrd)',
      'impermanence README ("/persist … neededForBoot = true")',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const { early, needed: neededSet, opaque } = projectMounts(p);
    const certainty = absence(p);
    const anchors = new Map<string, (typeof ctx.file.definitions)[number]>();
    for (const def of ctx.file.definitions) {
      if (def.path[0] !== 'fileSystems' || def.path.length < 2 || def.path[1] === DYNAMIC) continue;
      const prev = anchors.get(def.path[1]!);
      if (!prev || (def.path.length === 2 && prev.path.length !== 2)) anchors.set(def.path[1]!, def);
    }
    for (const [mp, def] of anchors) {
      const needed = neededSet.has(mp);
      const stage1 = needed || PATHS_NEEDED_FOR_BOOT.includes(mp);
      // Only what the host shows is read early: a mount named /persist that nothing reads is plain data.
      const isEarly =
        !stage1 && [...early].some((e) => e === mp || e.startsWith(mp.endsWith('/') ? mp : `${mp}/`));
      const unknown = opaque.has(mp) || copiedPrefix(p, `fileSystems.${mp}.neededForBoot`) !== undefined;
      if (isEarly && !unknown && certainty.kind !== 'unplaced') {
        const edit =
          def.path.length === 2 ? appendToSet(ctx.file.text, def.value, 'neededForBoot', 'true') : undefined;
        const fixes: Fix[] = edit
          ? [
              {
                title: 'Mount it in stage 1 (neededForBoot = true)',
                edits: [edit],
                safe: true,
                preferred: true,
              },
            ]
          : [];
        ctx.report({
          ...(def.path.length === 2 ? { start: def.key.start, end: def.key.end } : mountPointRange(def)),
          ...(certainty.kind === 'open' ? { severity: 'hint' as const } : {}),
          message:
            `fileSystems."${mp}" holds state the early boot reads (impermanence, secrets or host keys), but ` +
            (certainty.kind === 'open'
              ? 'no file read for this host sets neededForBoot for it, so it may be mounted only after stage 1'
              : 'it is mounted only after stage 1') +
            ': activation then finds an empty directory (new SSH host keys, missing secrets). Add neededForBoot = true.' +
            (certainty.kind === 'open'
              ? ` Not checked (modules that could not be read): ${certainty.notChecked}.`
              : ''),
          fixes,
        });
      }
      if (stage1 && p.stageOne.systemd !== false) {
        // Another definition of the same mount's type (`fsType = mkForce "ext4"`, a second block) decides it: say nothing.
        const types = p.definitions(`fileSystems.${mp}.fsType`);
        if (types.some(({ file, def: t }) => plainString(t.value, file.text) !== 'auto')) continue;
        for (const d of ctx.definitions('fileSystems.*.fsType')) {
          if (d.path[1] !== mp) continue;
          if (plainString(d.value, ctx.file.text) !== 'auto') continue;
          ctx.report({
            start: d.value.start,
            end: d.value.end,
            message:
              `fileSystems."${mp}" is mounted in stage 1 with fsType = "auto"` +
              (p.stageOne.systemd
                ? ` under systemd stage 1 (${p.stageOne.reason}): mount probes before the file system module is loaded and the boot drops to emergency mode now and then (nixpkgs#549440).`
                : `; with systemd stage 1 (the default from NixOS 26.05; ${p.stageOne.reason}) mount probes before the module is loaded and the boot drops to emergency mode now and then (nixpkgs#549440).`) +
              ' Write the real file system type (ext4, btrfs, xfs, vfat …).',
          });
        }
      }
    }
  },
};
