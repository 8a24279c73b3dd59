// The shell commands that make a generation the boot default, or roll the system back, for the
// Generations view's "Set as Boot Default" and "Roll Back" (nixboot/generations/switchCommands).
// nixboot never runs them: the editor shows them in a modal confirmation and, if the user agrees,
// types them into a visible terminal. Building them is engine work (it knows profiles, the
// recovery root and how NixOS installs its boot loader), so it lives here and not in the client.
//
// On the running system (root `/`): `nix-env -p PROFILE --switch-generation N` moves the profile
// link, and `PROFILE/bin/switch-to-configuration boot` installs the boot loader for it without
// changing the running system; a rollback is `nixos-rebuild switch --rollback`, which also switches
// the running system. Under a recovery root (a mounted system, `nixboot.systemRoot`), the profile
// is moved with `nix-env --store ROOT` and the boot loader installed from inside the root with
// `nixos-enter --root ROOT -c 'NIXOS_INSTALL_BOOTLOADER=1 PROFILE/bin/switch-to-configuration boot'`.
import { pickGeneration, type Generation } from './generations';
import { printable } from '../text';

export type SwitchAction = 'setBootDefault' | 'rollback';

export interface SwitchCommands {
  /** The generation the commands make the default. */
  readonly generation: number;
  /** One command a line, run in order (joined with `&&` in the terminal). */
  readonly commands: string[];
  /** What running them changes, in one sentence. */
  readonly effect: string;
}

/** `s` as one shell word: as it is when it holds only safe characters, else single-quoted. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// C0 and C1 controls and DEL: a newline inside a path would end the command typed into the terminal.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkPath(what: string, p: string): void {
  if (!p.startsWith('/')) throw new Error(`the ${what} '${printable(p)}' is not an absolute path`);
  if (CONTROL.test(p))
    throw new Error(
      `the ${what} '${printable(p)}' contains a control character: no shell command is built from it`,
    );
}

function isHostRoot(root: string): boolean {
  return root.replace(/\/+$/, '') === '';
}

function describe(g: Generation): string {
  return `generation ${g.generation} (${printable(g.nixosVersion ?? g.storePath)})`;
}

/** Sets the profile to `g` and installs the boot loader for it (the running system is left alone). */
function setDefaultCommands(root: string, profile: string, g: Generation): string[] {
  if (isHostRoot(root))
    return [
      `sudo nix-env -p ${shellQuote(profile)} --switch-generation ${g.generation}`,
      `sudo ${shellQuote(profile)}/bin/switch-to-configuration boot`,
    ];
  // A recovery root: update its profile and install its boot loader from inside it.
  return [
    `sudo nix-env --store ${shellQuote(root)} -p ${shellQuote(root.replace(/\/+$/, '') + profile)} --switch-generation ${g.generation}`,
    `sudo nixos-enter --root ${shellQuote(root)} -c ${shellQuote(`NIXOS_INSTALL_BOOTLOADER=1 ${profile}/bin/switch-to-configuration boot`)}`,
  ];
}

/**
 * The commands for `action` on the generations of `profile` under `root`. `generation` (a number,
 * or current/booted/default/previous) is the one to make the boot default; a rollback goes to the
 * generation before the profile's default. Throws with a message for the user when there is no
 * such generation, or when the root or profile cannot be written into a command safely.
 */
export function switchCommands(opts: {
  root: string;
  profile: string;
  generations: readonly Generation[];
  action: SwitchAction;
  generation?: string;
}): SwitchCommands {
  const { root, profile, generations, action } = opts;
  checkPath('system root', root);
  checkPath('profile', profile);
  if (action === 'rollback') {
    const prev = pickGeneration(generations, 'previous');
    if (!prev) throw new Error('There is no earlier generation to roll back to.');
    if (isHostRoot(root))
      return {
        generation: prev.generation,
        commands: ['sudo nixos-rebuild switch --rollback'],
        effect: `The system profile goes back to ${describe(prev)} and the running system switches to it.`,
      };
    return {
      generation: prev.generation,
      commands: setDefaultCommands(root, profile, prev),
      effect: `The system profile goes back to ${describe(prev)} in the recovery root.`,
    };
  }
  if (action !== 'setBootDefault')
    throw new Error(`unknown action '${printable(String(action))}' (setBootDefault or rollback)`);
  if (opts.generation === undefined)
    throw new Error('which generation to set as the boot default? (generation is missing)');
  const g = pickGeneration(generations, opts.generation);
  if (!g) throw new Error(`no generation '${printable(opts.generation)}'`);
  return {
    generation: g.generation,
    commands: setDefaultCommands(root, profile, g),
    effect: `The profile will point to ${describe(g)} and the boot loader is reinstalled; the running system is not changed.`,
  };
}
