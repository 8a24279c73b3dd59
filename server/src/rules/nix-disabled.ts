// Rule nix-disabled: nix.enable = false on a NixOS host.
import type { ProjectModel, Rule } from './types';
import { literalBool } from './util';

/** Options and words that mark a nix-darwin module, a Determinate Nix setup, or an image built without Nix on purpose. */
const NOT_NIXOS_DAEMON =
  /\b(nix-darwin|darwinSystem|darwinConfigurations|homebrew\.|launchd\.|system\.defaults\.|determinate|nix-installer|kexec|netboot|installation-cd|sd-image|image\.repart)\b/;

const cache = new WeakMap<ProjectModel, boolean>();

/** Whether any linted file looks like nix-darwin, Determinate Nix or an image (once per project). */
function notNixosDaemon(p: ProjectModel): boolean {
  let hit = cache.get(p);
  if (hit === undefined) {
    hit = p.files.some((f) => NOT_NIXOS_DAEMON.test(f.text) || /darwin/i.test(f.path));
    cache.set(p, hit);
  }
  return hit;
}

export const rule: Rule = {
  id: 'nix-disabled',
  severity: 'warning',
  title: '`nix.enable = false` on a NixOS host',
  docs: {
    summary:
      '`nix.enable = false` in a NixOS configuration that is not a nix-darwin module, a Determinate Nix setup or a one-shot image.',
    why:
      'Without the Nix daemon the machine cannot build, copy or switch its own configuration: `nixos-rebuild` and ' +
      '`nixos-rebuild --rollback` on the machine stop working, `nix-collect-garbage` is gone, and `nix.gc.automatic` ' +
      'trips the assertion "nix.gc.automatic requires nix.enable". Seed 002 turned it off to cut 121 MB from a kexec ' +
      'installer image — right for a throw-away image, a trap on a host you maintain. The rule stays silent when the ' +
      'project looks like a nix-darwin configuration (darwinSystem, homebrew.*, launchd.*, system.defaults.*), a ' +
      'Determinate Nix setup (which manages Nix itself and asks for nix.enable = false), or an image (kexec, netboot, ' +
      'installation-cd, sd-image).',
    bad: 'nix.enable = false;',
    good: '# keep Nix; to shrink an image, remove other packages\nnix.enable = true;',
    fix:
      'Remove `nix.enable = false` on hosts you rebuild in place. If the host is managed only by pushing closures from ' +
      'another machine (`nixos-rebuild --target-host`), note that this still needs `nix-store` on the target: keep Nix. ' +
      'Silence the rule with `# nixboot: ignore nix-disabled` for a deliberate image.',
    references: [
      'nixpkgs nixos/modules/services/system/nix-daemon.nix (nix.enable)',
      'nixpkgs nixos/modules/services/misc/nix-gc.nix (assertion "nix.gc.automatic requires nix.enable")',
      'seed 002 (nix.enable = false in a kexec image)',
    ],
  },
  check(ctx) {
    for (const def of ctx.definitions('nix.enable')) {
      if (literalBool(def.value) !== false) continue;
      if (notNixosDaemon(ctx.project)) continue;
      const gc = ctx.project
        .definitions('nix.gc.automatic')
        .some(({ file, def: d }) => file.text.slice(d.value.start, d.value.end) === 'true');
      ctx.report({
        start: def.key.start,
        end: def.value.end,
        message:
          'nix.enable = false removes the Nix daemon: this machine can no longer run nixos-rebuild, switch or roll back on its own, nor receive closures with nixos-rebuild --target-host.' +
          (gc
            ? ' With nix.gc.automatic on, evaluation also fails ("nix.gc.automatic requires nix.enable").'
            : '') +
          ' Keep Nix on hosts you maintain (this is not a nix-darwin, Determinate Nix or image configuration as far as nixboot can tell).',
      });
    }
  },
};
