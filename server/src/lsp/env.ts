// What every LSP feature module gets: the connection and the server-wide settings.
import type { Connection } from 'vscode-languageserver/node';

export interface InitOptions {
  /** Directory the extension owns for caches (decompressed initrds …). */
  readonly cacheDir?: string;
}

export interface ServerEnv {
  readonly connection: Connection;
  /** Cache directory: from initializationOptions, else a per-user default under the OS temp dir. */
  readonly cacheDir: string;
}

/** A feature registers its handlers on the connection. */
export type Feature = (env: ServerEnv) => void;
