// What every LSP feature module gets: the connection, the open documents, the server-wide
// settings, and registries for the LSP requests that several features answer together.
import type { CodeLens, Connection, Hover, ServerCapabilities, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';

export interface InitOptions {
  /** Directory the extension owns for caches (decompressed initrds …). */
  readonly cacheDir?: string;
  /** Workspace settings `nixboot.*` at start (later changes arrive as didChangeConfiguration). */
  readonly settings?: Record<string, unknown>;
}

export type CodeLensProvider = (doc: TextDocument, token: { isCancellationRequested: boolean }) => Promise<CodeLens[]> | CodeLens[];
export type HoverProvider = (doc: TextDocument, offset: number) => Promise<Hover | null> | Hover | null;

export interface ServerEnv {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  /**
   * Cache directory: from initializationOptions, else the user's XDG cache directory
   * (`initrd/cacheDir.ts`); undefined without a home directory (a private temporary one is used).
   */
  readonly cacheDir: string | undefined;
  /** Workspace folders as file-system paths. */
  readonly workspaceFolders: () => string[];
  /** Current `nixboot` settings (a plain object; read fresh on each use). */
  readonly settings: () => Record<string, unknown>;
  /** Code lenses: every provider's lenses for a document are concatenated. */
  addCodeLensProvider(p: CodeLensProvider): void;
  /** Hovers: the first provider that answers wins (providers added first are asked first). */
  addHoverProvider(p: HoverProvider): void;
  /** Called after the settings changed. */
  onSettingsChanged(listener: () => void): void;
}

/** A feature registers its handlers on the connection and may add capabilities. */
export type Feature = (env: ServerEnv) => Partial<ServerCapabilities> | void;
