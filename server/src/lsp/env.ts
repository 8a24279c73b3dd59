// What every LSP feature module gets: the connection, the open documents, the server-wide
// settings, and registries for the LSP requests that several features answer together.
import type {
  CodeLens,
  Connection,
  Hover,
  ServerCapabilities,
  TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisHost } from './analysisHost';
import type { Peers } from './coexistence';

export interface InitOptions {
  /** Directory the extension owns for caches (decompressed initrds …). */
  readonly cacheDir?: string;
  /** Workspace settings `nixboot.*` at start (later changes arrive as didChangeConfiguration). */
  readonly settings?: Record<string, unknown>;
  /**
   * Whether the workspace is trusted (VS Code's workspace trust). false: Restricted Mode, the
   * server only lints (see protocol.ts, DidChangeTrustNotification). Absent: trusted.
   */
  readonly trusted?: boolean;
  /** What else serves the `nix` language (protocol.ts, PeersNotification). Absent: nothing. */
  readonly peers?: Peers;
}

/**
 * Largest document (in UTF-16 code units, about bytes) the server analyses: parse, lint, hover,
 * completion, code lenses. The same bound as for workspace files on disk. A larger document gets
 * one diagnostic saying so, and nothing else: its analysis would stall every other request.
 */
const MAX_ANALYSED_CHARS = 2 * 1024 * 1024;

export function tooLargeToAnalyse(text: string): boolean {
  return text.length > MAX_ANALYSED_CHARS;
}

export type CodeLensProvider = (
  doc: TextDocument,
  token: { isCancellationRequested: boolean },
) => Promise<CodeLens[]> | CodeLens[];
export type HoverProvider = (doc: TextDocument, offset: number) => Promise<Hover | null> | Hover | null;

export interface ServerEnv {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  /** The one owner of document and disk-file models and of the project (hosts): ask it, never parse again. */
  readonly analysis: AnalysisHost;
  /**
   * Cache directory: from initializationOptions, else the user's XDG cache directory
   * (`initrd/cacheDir.ts`); undefined without a home directory (a private temporary one is used).
   */
  readonly cacheDir: string | undefined;
  /** Workspace folders as file-system paths. */
  readonly workspaceFolders: () => string[];
  /** Current `nixboot` settings (a plain object; read fresh on each use). */
  readonly settings: () => Record<string, unknown>;
  /** Whether the workspace is trusted (false: Restricted Mode, lint only). */
  readonly trusted: () => boolean;
  /** Other extensions and language servers for the `nix` language (lsp/coexistence.ts). */
  readonly peers: () => Peers;
  /**
   * Code lenses: every provider's lenses for a document are concatenated. Providers need trust
   * unless registered with `{ restricted: true }` (their lenses run nothing): in Restricted Mode
   * the others are not asked.
   */
  addCodeLensProvider(p: CodeLensProvider, options?: { restricted?: boolean }): void;
  /** Hovers: the first provider that answers wins (providers added first are asked first). */
  addHoverProvider(p: HoverProvider): void;
  /** Called after the settings changed. */
  onSettingsChanged(listener: () => void): void;
  /** Called after workspace trust changed. */
  onTrustChanged(listener: () => void): void;
  /**
   * Called once the client sent `initialized`. The connection keeps one handler per message, so
   * features never register `connection.onInitialized` themselves (the last one would win).
   */
  onInitialized(listener: () => void): void;
  /** Called after workspace folders were added or removed (file-system paths). */
  onWorkspaceFoldersChanged(listener: (added: string[], removed: string[]) => void): void;
}

/** A feature registers its handlers on the connection and may add capabilities. */
export type Feature = (env: ServerEnv) => Partial<ServerCapabilities> | void;
