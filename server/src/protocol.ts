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
