// Rule resume-device-absolute: boot.resumeDevice in the old "major:minor" form (stage-1.nix assertion).
import { plainString } from '../nixos/options-query';
import type { Rule } from './types';

export const rule: Rule = {
  id: 'resume-device-absolute',
  severity: 'error',
  title: 'boot.resumeDevice is not an absolute path',
  docs: {
    summary:
      '`boot.resumeDevice` set to something other than an absolute path, e.g. the old `"8:3"` major:minor form or a bare `"sda3"`.',
    why:
      'stage-1.nix asserts: "boot.resumeDevice has to be an absolute path. Old \\"x:y\\" style is no longer supported." ' +
      'The rebuild stops. Configurations copied from old wikis and forum answers still carry the major:minor form, ' +
      'usually on laptops that hibernate — where a wrong resume device silently means every resume is a cold boot ' +
      'and the hibernated session is lost.',
    bad: 'boot.resumeDevice = "8:3";',
    good: 'boot.resumeDevice = "/dev/disk/by-uuid/5e1f0000-aaaa-bbbb-cccc-ddddeeeeffff";',
    fix: 'Use the swap device by UUID or label (`ls -l /dev/disk/by-uuid`); for a swap file, the device holding it plus `resume_offset=` in `boot.kernelParams`.',
    references: ['nixpkgs nixos/modules/system/boot/stage-1.nix (assertion on boot.resumeDevice)'],
  },
  check(ctx) {
    for (const def of ctx.definitions('boot.resumeDevice')) {
      const v = plainString(def.value, ctx.file.text);
      if (v === undefined || v === '' || v.startsWith('/')) continue;
      ctx.report({
        start: def.value.start,
        end: def.value.end,
        message: `boot.resumeDevice = "${v}" is not an absolute path: evaluation fails with "boot.resumeDevice has to be an absolute path. Old "x:y" style is no longer supported." Use /dev/disk/by-uuid/….`,
      });
    }
  },
};
