// The profile commands of "Set as Boot Default" and "Roll Back" (server/src/system/profileCommands.ts),
// built by the engine for the running system and for a recovery root.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Generation } from '../../server/src/system/generations';
import { shellQuote, switchCommands } from '../../server/src/system/profileCommands';

const PROFILE = '/nix/var/nix/profiles/system';

function gen(generation: number, extra: Partial<Generation> = {}): Generation {
  return {
    generation,
    date: '2026-11-22T10:00:00.000Z',
    link: `${PROFILE}-${generation}-link`,
    storePath: `/nix/store/${'a'.repeat(32)}-nixos-system-host-${generation}`,
    exists: true,
    kernelParams: [],
    specialisations: [],
    source: 'bootspec',
    current: false,
    booted: false,
    default: false,
    ...extra,
  };
}

const gens = [
  gen(3, { nixosVersion: '25.05.1' }),
  gen(4),
  gen(5, { default: true, current: true, nixosVersion: '25.05.3' }),
];

test('running system: set as boot default moves the profile and installs the boot loader, rollback is nixos-rebuild', () => {
  const set = switchCommands({
    root: '/',
    profile: PROFILE,
    generations: gens,
    action: 'setBootDefault',
    generation: '3',
  });
  assert.deepEqual(set, {
    generation: 3,
    commands: [
      `sudo nix-env -p ${PROFILE} --switch-generation 3`,
      `sudo ${PROFILE}/bin/switch-to-configuration boot`,
    ],
    effect:
      'The profile will point to generation 3 (25.05.1) and the boot loader is reinstalled; the running system is not changed.',
  });
  const back = switchCommands({ root: '/', profile: PROFILE, generations: gens, action: 'rollback' });
  // The generation before the profile's default, named by its store path when it has no version.
  assert.deepEqual(back, {
    generation: 4,
    commands: ['sudo nixos-rebuild switch --rollback'],
    effect: `The system profile goes back to generation 4 (${gens[1]!.storePath}) and the running system switches to it.`,
  });
  assert.equal(
    switchCommands({
      root: '/',
      profile: PROFILE,
      generations: gens,
      action: 'setBootDefault',
      generation: 'previous',
    }).generation,
    4,
  );
});

test('recovery root: the root profile is moved with --store and the boot loader installed from inside the root', () => {
  const root = '/mnt/my disk/';
  const set = switchCommands({
    root,
    profile: PROFILE,
    generations: gens,
    action: 'setBootDefault',
    generation: '4',
  });
  assert.deepEqual(set.commands, [
    `sudo nix-env --store '/mnt/my disk/' -p '/mnt/my disk${PROFILE}' --switch-generation 4`,
    `sudo nixos-enter --root '/mnt/my disk/' -c 'NIXOS_INSTALL_BOOTLOADER=1 ${PROFILE}/bin/switch-to-configuration boot'`,
  ]);
  const back = switchCommands({ root: '/mnt', profile: PROFILE, generations: gens, action: 'rollback' });
  assert.equal(back.generation, 4);
  assert.equal(back.commands.length, 2);
  assert.match(
    back.commands[0]!,
    /^sudo nix-env --store \/mnt -p \/mnt\/nix\/var\/nix\/profiles\/system --switch-generation 4$/,
  );
  assert.equal(
    back.effect,
    `The system profile goes back to generation 4 (${gens[1]!.storePath}) in the recovery root.`,
  );
});

test('nothing to roll back to, an unknown generation, or an unsafe root is an error with a message', () => {
  assert.throws(
    () =>
      switchCommands({
        root: '/',
        profile: PROFILE,
        generations: [gen(1, { default: true })],
        action: 'rollback',
      }),
    /There is no earlier generation to roll back to\./,
  );
  assert.throws(
    () =>
      switchCommands({
        root: '/',
        profile: PROFILE,
        generations: gens,
        action: 'setBootDefault',
        generation: '9',
      }),
    /no generation '9'/,
  );
  assert.throws(
    () => switchCommands({ root: '/', profile: PROFILE, generations: gens, action: 'setBootDefault' }),
    /generation is missing/,
  );
  // A newline in the root would end the command typed into the terminal: no command is built.
  assert.throws(
    () => switchCommands({ root: '/mnt\nrm -rf ~', profile: PROFILE, generations: gens, action: 'rollback' }),
    /system root '\/mnt\\nrm -rf ~' contains a control character/,
  );
  assert.throws(
    () => switchCommands({ root: '/', profile: 'profiles/system', generations: gens, action: 'rollback' }),
    /profile 'profiles\/system' is not an absolute path/,
  );
  assert.throws(
    () => switchCommands({ root: '/', profile: PROFILE, generations: gens, action: 'switch' as 'rollback' }),
    /unknown action 'switch'/,
  );
});

test('shellQuote leaves safe words alone and single-quotes the rest', () => {
  assert.equal(shellQuote('/nix/var/nix/profiles/system'), '/nix/var/nix/profiles/system');
  assert.equal(shellQuote('/mnt/a b'), `'/mnt/a b'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  assert.equal(shellQuote('$(reboot)'), `'$(reboot)'`);
});
