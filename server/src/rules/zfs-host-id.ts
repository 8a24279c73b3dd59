// Rule zfs-host-id: ZFS without networking.hostId, and forceImportAll without forceImportRoot (zfs.nix assertions).
import { unparen } from '../nixos/definitions';
import { bindingIn, isDefined, literalBools, plainString, stringItems } from '../nixos/options-query';
import type { SyntaxNode } from '../syntax/tree';
import type { Rule, RuleContext } from './types';

/** Where this file says ZFS is used: a supportedFilesystems entry or a zfs file system. */
function zfsMentions(ctx: RuleContext): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const text = ctx.file.text;
  for (const pattern of ['boot.supportedFilesystems', 'boot.initrd.supportedFilesystems']) {
    for (const def of ctx.definitions(pattern)) {
      for (const s of stringItems(def, text)) if (s.value === 'zfs') out.push(s.node);
      // Newer nixpkgs: an attribute set `{ zfs = true; }`.
      const set = unparen(def.value);
      if (set?.kind === 'AttrSet') {
        const b = bindingIn(set, 'zfs', text);
        if (b && text.slice(b.value.start, b.value.end) === 'true') out.push(b.binding);
      }
    }
    for (const def of ctx.definitions(`${pattern}.zfs`)) if (text.slice(def.value.start, def.value.end) === 'true') out.push(def.binding);
  }
  for (const def of ctx.definitions('fileSystems.*.fsType')) if (plainString(def.value, text) === 'zfs') out.push(def.value);
  return out;
}

export const rule: Rule = {
  id: 'zfs-host-id',
  severity: 'error',
  title: 'ZFS without networking.hostId',
  docs: {
    summary:
      'ZFS in use (`boot.supportedFilesystems` / `boot.initrd.supportedFilesystems` lists zfs, or a file system has ' +
      '`fsType = "zfs"`) while no linted file sets `networking.hostId`; and `boot.zfs.forceImportAll` without ' +
      '`boot.zfs.forceImportRoot`.',
    why:
      'nixpkgs\' zfs.nix asserts "ZFS requires networking.hostId to be set": ZFS records the host id in each pool and ' +
      'refuses to import a pool last used by another host id without forcing. It also asserts "If you enable ' +
      'boot.zfs.forceImportAll, you must also enable boot.zfs.forceImportRoot". Both stop the rebuild — better seen ' +
      'while editing than on the machine that needs the fix. A host id that changes between installs (e.g. generated ' +
      'differently) is how a root pool ends up refusing to import in stage 1.',
    bad: 'boot.supportedFilesystems = [ "zfs" ];',
    good: 'boot.supportedFilesystems = [ "zfs" ];\n# head -c4 /dev/urandom | od -A none -t x4\nnetworking.hostId = "8425e349";',
    fix:
      'Set `networking.hostId` to 8 hex digits (`head -c4 /dev/urandom | od -A none -t x4`; on an existing system keep ' +
      'the current value from `hostid`). The rule only looks at the linted files: if hostId is set in a module that is ' +
      'not linted with them, silence it with `# nixboot: ignore zfs-host-id`.',
    references: [
      'nixpkgs nixos/modules/tasks/filesystems/zfs.nix (assertions, read from the stored revision in the code index)',
      'brief nixos-boot-facts.md §H 13',
    ],
  },
  check(ctx) {
    const p = ctx.project;
    const mentions = zfsMentions(ctx);
    if (mentions.length > 0 && !isDefined(p, 'networking.hostId')) {
      const first = mentions[0]!;
      ctx.report({
        start: first.start,
        end: first.end,
        message:
          'ZFS is used but no linted file sets networking.hostId: evaluation fails with "ZFS requires networking.hostId to be set". ' +
          'Set it to 8 hex digits (head -c4 /dev/urandom | od -A none -t x4), or keep the value of `hostid` on an existing system.',
      });
    }
    for (const def of ctx.definitions('boot.zfs.forceImportAll')) {
      if (!literalBools(p, 'boot.zfs.forceImportAll', true).some((l) => l.def === def)) continue;
      if (literalBools(p, 'boot.zfs.forceImportRoot', false).length === 0) continue;
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          'boot.zfs.forceImportAll = true with boot.zfs.forceImportRoot = false: evaluation fails with "If you enable boot.zfs.forceImportAll, you must also enable boot.zfs.forceImportRoot".',
      });
    }
  },
};
