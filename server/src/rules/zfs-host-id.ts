// Rule zfs-host-id: ZFS without networking.hostId, and the force-import assertions of zfs.nix.
import { unparen } from '../nixos/definitions';
import { bindingIn, literalBools, mayBeDefined, plainString, stringItems } from '../nixos/options-query';
import type { SyntaxNode } from '../syntax/tree';
import type { ProjectModel, Rule, RuleContext } from './types';
import { absence } from './util';

/** Where this file says ZFS is used: a supportedFilesystems entry or a zfs file system. */
function zfsMentions(ctx: RuleContext): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const text = ctx.file.text;
  // Only unconditional definitions say that ZFS is used: one under `mkIf config.my.zfs.enable` depends on a value
  // the linter does not know (the hosts that turn it on may well set hostId).
  const defs = (pattern: string) => ctx.definitions(pattern).filter((d) => !d.conditional);
  for (const pattern of ['boot.supportedFilesystems', 'boot.initrd.supportedFilesystems']) {
    for (const def of defs(pattern)) {
      for (const s of stringItems(def, text)) if (s.value === 'zfs') out.push(s.node);
      // Newer nixpkgs: an attribute set `{ zfs = true; }`.
      const set = unparen(def.value);
      if (set?.kind === 'AttrSet') {
        const b = bindingIn(set, 'zfs', text);
        if (b && text.slice(b.value.start, b.value.end) === 'true') out.push(b.binding);
      }
    }
    for (const def of defs(`${pattern}.zfs`))
      if (text.slice(def.value.start, def.value.end) === 'true') out.push(def.binding);
  }
  for (const def of defs('fileSystems.*.fsType'))
    if (plainString(def.value, text) === 'zfs') out.push(def.value);
  return out;
}

/**
 * What boot.zfs.forceImportRoot is for this project: an explicit literal, else its default — true, and
 * (26.05-era zfs.nix) false from `system.stateVersion` 26.11 on.
 */
function forceImportRoot(p: ProjectModel): { value: boolean; why: string } {
  if (literalBools(p, 'boot.zfs.forceImportRoot', false).length > 0)
    return { value: false, why: 'boot.zfs.forceImportRoot = false' };
  if (literalBools(p, 'boot.zfs.forceImportRoot', true).length > 0)
    return { value: true, why: 'boot.zfs.forceImportRoot = true' };
  for (const { file, def } of p.definitions('system.stateVersion')) {
    const m = /^(\d{2})\.(\d{2})$/.exec(plainString(def.value, file.text) ?? '');
    if (!m) continue;
    const late = Number(m[1]) > 26 || (Number(m[1]) === 26 && Number(m[2]) >= 11);
    return late
      ? {
          value: false,
          why: `boot.zfs.forceImportRoot defaults to false with system.stateVersion = "${m[0]}"`,
        }
      : {
          value: true,
          why: `boot.zfs.forceImportRoot defaults to true with system.stateVersion = "${m[0]}"`,
        };
  }
  return { value: true, why: 'boot.zfs.forceImportRoot defaults to true (before system.stateVersion 26.11)' };
}

export const rule: Rule = {
  id: 'zfs-host-id',
  severity: 'error',
  title: 'ZFS without networking.hostId',
  docs: {
    summary:
      'ZFS in use (`boot.supportedFilesystems` / `boot.initrd.supportedFilesystems` lists zfs, or a file system has ' +
      '`fsType = "zfs"`) while no linted file sets `networking.hostId`; `boot.zfs.forceImportAll` without ' +
      '`boot.zfs.forceImportRoot` (set to false, or false by default from `system.stateVersion` 26.11); and ' +
      '`boot.zfs.unsafeAllowHibernation` (formerly `allowHibernation`) while a force import is on — by default it is.',
    why:
      'nixpkgs\' zfs.nix asserts "ZFS requires networking.hostId to be set": ZFS records the host id in each pool and ' +
      'refuses to import a pool last used by another host id without forcing. It also asserts "If you enable ' +
      'boot.zfs.forceImportAll, you must also enable boot.zfs.forceImportRoot" and "boot.zfs.unsafeAllowHibernation while ' +
      'force importing is enabled will cause data corruption" — hibernating a system whose pool is force-imported at the ' +
      'next boot imports it twice. All of them stop the rebuild — better seen ' +
      'while editing than on the machine that needs the fix. A host id that changes between installs (e.g. generated ' +
      'differently) is how a root pool ends up refusing to import in stage 1.',
    bad: 'boot.supportedFilesystems = [ "zfs" ];',
    good: 'boot.supportedFilesystems = [ "zfs" ];\n# head -c4 /dev/urandom | od -A none -t x4\nnetworking.hostId = "8425e349";',
    fix:
      'Set `networking.hostId` to 8 hex digits (`head -c4 /dev/urandom | od -A none -t x4`; on an existing system keep ' +
      'the current value from `hostid`). The rule only looks at the linted files: if hostId is set in a module that is ' +
      'not linted with them, silence it with `# nixboot: ignore zfs-host-id`.\n\n' +
      '**When it stays silent.** The missing-hostId error is only given for a closed host (every module it includes was ' +
      'read). When the host imports a module the linter cannot read (a flake input such as srvos or clan-core, which set ' +
      '`networking.hostId` with `mkDefault`; a computed import list), it says nothing: such modules commonly set it, ' +
      "and where none does, evaluation stops with ZFS's own message. A file no host includes (a dead file, an exported module) gets nothing, and neither does a host whose " +
      '`networking` set is copied from elsewhere (`networking = cfg.net;`: the value is unknown, not absent), nor ZFS ' +
      'enabled only under a condition (`mkIf config.my.zfs.enable …`: the hosts that turn it on may set hostId). The ' +
      'force-import checks rely on `boot.zfs.forceImportRoot` not being set elsewhere, so they also need a closed host.',
    references: [
      'nixpkgs nixos/modules/tasks/filesystems/zfs.nix (assertions, read from the stored revision in the code index)',
      'brief nixos-boot-facts.md §H 13',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const certainty = absence(p);
    if (certainty.kind === 'unplaced') return;
    const mentions = zfsMentions(ctx);
    if (mentions.length > 0 && !mayBeDefined(p, 'networking.hostId')) {
      const first = mentions[0]!;
      // An open host says nothing: the modules it could not read (srvos, clan-core) commonly set hostId,
      // and a host where nothing does fails evaluation with ZFS's own message.
      if (certainty.kind === 'certain')
        ctx.report({
          start: first.start,
          end: first.end,
          message:
            'ZFS is used but no linted file sets networking.hostId: evaluation fails with "ZFS requires networking.hostId to be set". ' +
            'Set it to 8 hex digits (head -c4 /dev/urandom | od -A none -t x4), or keep the value of `hostid` on an existing system.',
        });
    }
    if (certainty.kind !== 'certain') return;
    const forceAll = literalBools(p, 'boot.zfs.forceImportAll', true);
    for (const def of ctx.definitions('boot.zfs.forceImportAll')) {
      if (!forceAll.some((l) => l.def === def)) continue;
      const root = forceImportRoot(p);
      if (root.value) continue;
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message: `boot.zfs.forceImportAll = true while ${root.why}: evaluation fails with "If you enable boot.zfs.forceImportAll, you must also enable boot.zfs.forceImportRoot".`,
      });
    }
    for (const name of ['boot.zfs.unsafeAllowHibernation', 'boot.zfs.allowHibernation']) {
      for (const def of ctx.definitions(name)) {
        if (!literalBools(p, name, true).some((l) => l.def === def)) continue;
        const root = forceImportRoot(p);
        const why =
          forceAll.length > 0 ? 'boot.zfs.forceImportAll = true' : root.value ? root.why : undefined;
        if (!why) continue;
        ctx.report({
          start: def.key.start,
          end: def.value.end,
          message:
            `${name} = true while ${why}: evaluation fails with "boot.zfs.unsafeAllowHibernation while force importing is enabled will cause data corruption". ` +
            'Set boot.zfs.forceImportRoot = false (and leave forceImportAll off) to hibernate, or do not hibernate a ZFS system.',
        });
      }
    }
  },
};
