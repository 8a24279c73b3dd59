// The ONE file of nixboot's custom LSP messages ('nixboot/…').
//
// The client imports this file for types and method names only (it must stay free of runtime
// dependencies other than plain constants). Each message is one documented namespace with
// `method`, `Params` and `Result`. Long requests report work-done progress and honour
// cancellation. Positions in results are LSP positions (0-based line/character, UTF-16).
//
// Keep docs/protocol.md in sync: a test compares the two.

/** A request or notification declaration shared by client and server. */
export interface MessageDecl {
  readonly method: string;
}

/**
 * Which stage 1 the linter assumes for a document: `boot.initrd.systemd.enable` as set in the
 * workspace, else the default of the NixOS release (from flake.lock or `nixboot.nixosRelease`).
 * The client shows it in the status bar.
 */
export namespace StageOneRequest {
  export const method = 'nixboot/stageOne';
  export interface Params {
    readonly uri: string;
  }
  export interface Result {
    /** true: systemd stage 1; false: scripted; null: unknown. */
    readonly systemd: boolean | null;
    readonly source: 'explicit' | 'flake.lock' | 'setting' | 'unknown';
    readonly reason: string;
  }
}
