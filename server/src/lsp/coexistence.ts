// Living beside Nix IDE (jnoortheen.nix-ide) and the nil/nixd language servers (docs/editors.md).
//
// The client reports what else serves the `nix` language (PeersNotification in protocol.ts): the
// other extensions that contribute it, and whether one of them runs a Nix language server. With
// `auto` settings, nixboot then leaves to that server what it already answers: option hovers
// (`nixboot.hover.options`), option name completion (`nixboot.completion.options`: nixd completes
// NixOS options, nil does with a flake's nixpkgs input, `nil.nix.flake.nixpkgsInputName`), the
// Outline and go to definition on path literals (`nixboot.navigation`). nixboot's own findings, finding hovers, option definitions across the
// host and option references stay: no other server has them.
import type { PeersNotification } from '../protocol';

export type Peers = PeersNotification.Params;

const NO_PEERS: Peers = { nixExtensions: [], nixLanguageServer: null };

/** A peers object from the wire (initialization options or the notification), or none. */
export function readPeers(raw: unknown): Peers {
  if (!raw || typeof raw !== 'object') return NO_PEERS;
  const r = raw as Record<string, unknown>;
  const exts = Array.isArray(r.nixExtensions)
    ? r.nixExtensions.filter((x): x is string => typeof x === 'string')
    : [];
  const server = typeof r.nixLanguageServer === 'string' && r.nixLanguageServer ? r.nixLanguageServer : null;
  return { nixExtensions: exts, nixLanguageServer: server };
}

type Mode = 'auto' | 'on' | 'off';

function mode(raw: unknown): Mode {
  return raw === 'on' || raw === 'off' ? raw : 'auto';
}

function section(settings: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = settings[key];
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** Whether nixboot's option hovers (type, default, description) are shown: `nixboot.hover.options`. */
export function optionHoversEnabled(settings: Record<string, unknown>, peers: Peers): boolean {
  const m = mode(section(settings, 'hover').options);
  return m === 'on' || (m === 'auto' && peers.nixLanguageServer === null);
}

/** Whether nixboot completes option names (`boot.initrd.ne|`): `nixboot.completion.options`. */
export function optionCompletionsEnabled(settings: Record<string, unknown>, peers: Peers): boolean {
  const m = mode(section(settings, 'completion').options);
  return m === 'on' || (m === 'auto' && peers.nixLanguageServer === null);
}

/**
 * Whether another server already gives the Outline and path definitions, so nixboot does not
 * double them: `nixboot.navigation` `off`, or `auto` while nil/nixd run.
 */
export function navigationOverlaps(settings: Record<string, unknown>, peers: Peers): boolean {
  const m = mode(settings.navigation);
  return m === 'off' || (m === 'auto' && peers.nixLanguageServer !== null);
}
