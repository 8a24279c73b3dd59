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
    readonly source: 'explicit' | 'flake.lock' | 'npins' | 'setting' | 'unknown';
    readonly reason: string;
  }
}

/**
 * A cheap request that any state of the server answers at once: editors and tests use it to see
 * that the server is responsive (the load test measures its latency while the server is busy).
 */
export namespace PingRequest {
  export const method = 'nixboot/ping';
  export type Params = Record<string, never> | null | undefined;
  export interface Result {
    /** Whether the server runs with workspace trust (false: Restricted Mode, lint only). */
    readonly trusted: boolean;
  }
}

// ---- workspace trust (docs/security.md) ----

/**
 * The client tells the server that workspace trust changed (VS Code: trust was granted). The
 * server starts in the state of the `trusted` initialization option (absent: trusted, for editors
 * without a trust model). Untrusted, the server only lints: every request not in
 * `RESTRICTED_MODE_METHODS` fails with `RESTRICTED_MODE_ERROR`, and it offers no code lenses that
 * would run programs.
 */
export namespace DidChangeTrustNotification {
  export const method = 'nixboot/didChangeTrust';
  export interface Params {
    readonly trusted: boolean;
  }
}

/**
 * The client tells the server what else serves the `nix` language (at start in the `peers`
 * initialization option, then on every change): other extensions contributing it, and the Nix
 * language server one of them runs (`nil`, `nixd`), or null. With `auto` settings the server
 * then leaves option hovers, the Outline and path definitions to that server
 * (server/src/lsp/coexistence.ts, docs/editors.md).
 */
export namespace PeersNotification {
  export const method = 'nixboot/didChangePeers';
  export interface Params {
    /** Ids of the other extensions that contribute the `nix` language (`jnoortheen.nix-ide`). */
    readonly nixExtensions: readonly string[];
    /** The Nix language server another extension runs (`nixd`, `nil`), or null. */
    readonly nixLanguageServer: string | null;
  }
}

/** The nixboot/ requests an untrusted workspace may make: they read open documents only. */
export const RESTRICTED_MODE_METHODS: readonly string[] = [StageOneRequest.method, PingRequest.method];

/** Error code of a request refused because the workspace is not trusted. */
export const RESTRICTED_MODE_ERROR = -32050;

// ---- initrd: `initrd:` file system, inspector, health check, diff (docs/initrd.md) ----

/** One initrd segment as listed by the engine. */
export interface InitrdSegment {
  readonly offset: number;
  readonly compression: 'none' | 'gzip' | 'zstd' | 'xz' | 'lzma' | 'bzip2' | 'lz4-legacy' | 'lz4';
  readonly compressedSize: number;
  readonly size: number;
  readonly entries: number;
}

/**
 * Opens (indexes, or loads from the cache) an initrd or unified kernel image. Reports work-done
 * progress on `workDoneToken`; cancelling the request aborts the decompression.
 */
export namespace InitrdOpenRequest {
  export const method = 'nixboot/initrd/open';
  export interface Params {
    /** Absolute file-system path of the image. */
    readonly file: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly file: string;
    readonly segments: InitrdSegment[];
    readonly entries: number;
    /** Present for unified kernel images. */
    readonly cmdline?: string;
  }
}

/** What the engine knows of one image file: whether it is an initrd, and its name. */
export interface InitrdIdentity {
  readonly file: string;
  /** What its first bytes are ('cpio', a compression, 'uki'); absent: not an initrd. */
  readonly kind?: string;
  /** "gen 3 · Linux 6.12.59 · 2026-11-22" (generation, kernel, date), or the file name · kernel · date. */
  readonly name: string;
  /** "initrd: " + name: mounts, tabs, Problems groups. */
  readonly title: string;
  /** The newest generation (under the system root) that boots this file. */
  readonly generation?: number;
  readonly kernelVersion?: string;
  readonly date?: string;
}

/**
 * Which of `files` are initrds (first 4 KiB only: magic bytes, a gzip segment must hold cpio, a PE
 * image must have a `.linux` section) and what they are called. The client asks before it offers
 * initrd commands on a file or opens it in the initrd viewer; it never sniffs bytes itself.
 */
export namespace InitrdIdentifyRequest {
  export const method = 'nixboot/initrd/identify';
  /** Most files per request. */
  export const MAX_FILES = 5000;
  export interface Params {
    /** Absolute paths. */
    readonly files: string[];
    /** System root whose generations name the images (default: setting `nixboot.systemRoot`, else `/`). */
    readonly root?: string;
    /** Two files to compare: answer them older → newer (generation, else date), whatever order they came in. */
    readonly olderFirst?: boolean;
  }
  export interface Result {
    /** One per file, in order (older → newer with `olderFirst`). */
    readonly images: InitrdIdentity[];
  }
}

/** The initrds of the system's generations under the system root, newest first (for pickers). */
export namespace InitrdCandidatesRequest {
  export const method = 'nixboot/initrd/candidates';
  export interface Params {
    readonly root?: string;
  }
  export interface Result {
    readonly images: (InitrdIdentity & { readonly current: boolean })[];
    /** Why there are none (no profile under the root …). */
    readonly note?: string;
  }
}

/** Metadata of one archive path (symlinks are reported as such, with their target). */
export namespace InitrdStatRequest {
  export const method = 'nixboot/initrd/stat';
  export interface Params {
    readonly file: string;
    /** Absolute path inside the archive ("/" for the root). */
    readonly path: string;
  }
  export interface Result {
    readonly exists: boolean;
    readonly type?: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
    /** For symlinks: the type of what they resolve to inside the archive (absent when dangling). */
    readonly resolvedType?: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
    readonly size?: number;
    readonly mode?: number;
    readonly mtime?: number;
    readonly target?: string;
  }
}

/** Children of a directory inside the archive (symlinks resolved for the type). */
export namespace InitrdReadDirectoryRequest {
  export const method = 'nixboot/initrd/readDirectory';
  export interface Params {
    readonly file: string;
    readonly path: string;
  }
  export interface Result {
    readonly exists: boolean;
    readonly entries: { readonly name: string; readonly type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket'; readonly resolvedType?: string }[];
  }
}

/**
 * Bytes of a file (following symlinks inside the archive), base64. Files larger than 64 MiB are
 * refused unless a range of at most 64 MiB is asked for.
 */
export namespace InitrdReadFileRequest {
  export const method = 'nixboot/initrd/readFile';
  export interface Params {
    readonly file: string;
    readonly path: string;
    readonly start?: number;
    readonly end?: number;
  }
  export interface Result {
    readonly exists: boolean;
    /** Base64 of the bytes [start, end). */
    readonly data?: string;
    /** Whole size of the file. */
    readonly size?: number;
    /** Why the bytes could not be returned (not a file, too large). */
    readonly error?: string;
  }
}

/** Everything the inspector shows: segments, size by directory and store path, largest files, modules. */
export namespace InitrdInspectRequest {
  export const method = 'nixboot/initrd/inspect';
  export interface Params {
    readonly file: string;
    readonly workDoneToken?: string | number;
  }
  export interface SizeItem {
    readonly path: string;
    readonly size: number;
    readonly files: number;
  }
  export interface Result {
    readonly file: string;
    readonly segments: InitrdSegment[];
    readonly cmdline?: string;
    readonly total: number;
    readonly files: number;
    readonly topLevel: SizeItem[];
    readonly storePaths: SizeItem[];
    readonly largest: { readonly path: string; readonly size: number }[];
    readonly kernelModules: { readonly version: string; readonly modules: number; readonly size: number }[];
    /** Directory tree of sizes for the treemap: [path, size] of every directory up to depth 6. */
    readonly tree: { readonly path: string; readonly size: number }[];
  }
}

/** Health check of an image (seed 002's failures); problems carry archive paths and lines. */
export namespace InitrdCheckRequest {
  export const method = 'nixboot/initrd/check';
  export interface Params {
    readonly file: string;
    /** The generation's kernel version; modules for another version are reported. */
    readonly kernelVersion?: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly problems: { readonly path: string; readonly severity: 'error' | 'warning'; readonly code: string; readonly message: string; readonly line?: number }[];
  }
}

/** Added, removed and changed entries between two images, systemd units first. */
export namespace InitrdDiffRequest {
  export const method = 'nixboot/initrd/diff';
  export interface Params {
    readonly a: string;
    readonly b: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly changes: { readonly path: string; readonly kind: 'added' | 'removed' | 'changed'; readonly detail?: string; readonly type: string; readonly text?: boolean }[];
  }
}

/** A place in a file the client can open (0-based LSP line and character). */
export interface FileLocation {
  readonly file: string;
  readonly line: number;
  readonly character: number;
}

/** One link of a provenance chain with the shell command that proves it. */
export interface ProvenanceLink {
  readonly kind: 'file' | 'storePath' | 'pathInfo' | 'deriver' | 'derivation' | 'source' | 'lockInput' | 'commit';
  readonly title: string;
  readonly value: string;
  readonly details: string[];
  readonly proof: string;
  readonly ok: boolean;
  /** A text file that shows this link (the traced file, the `.drv`, the flake.lock node), when there is one. */
  readonly location?: FileLocation;
  /** For `lockInput` and `commit`: the flake.lock node key (the next step verifies it). */
  readonly input?: string;
}

/**
 * Verifies one flake.lock input: hashes a directory or a git commit (from git objects, no
 * checkout) and compares with `locked.narHash`. Without `dir`/`gitRepo` the server uses
 * `locked.path` (path inputs), the repository of a `file://` git URL, or the implied store path
 * when present; otherwise it fails with a message asking for a checkout (`needsCheckout`).
 */
export namespace LockVerifyRequest {
  export const method = 'nixboot/lock/verify';
  export interface Params {
    readonly lockFile: string;
    readonly input: string;
    readonly dir?: string;
    readonly gitRepo?: string;
    readonly rev?: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly input: string;
    readonly source: string;
    readonly expected: string;
    readonly actual: string;
    readonly match: boolean;
    readonly hashed: string;
    readonly storePath?: string;
    readonly commit?: { readonly oid: string; readonly time: number; readonly subject: string };
    readonly proof: string;
    readonly notes: string[];
    /** The flake.lock node key of the input. */
    readonly key: string;
    /** Where the input's node starts in the flake.lock. */
    readonly location?: FileLocation;
    /** Whether the input is fetched from git (find-rev applies). */
    readonly gitLike: boolean;
    /** The report as Markdown, for export. */
    readonly markdown: string;
  }
}

/** The flake.lock inputs (for pickers): input path, node key, source, narHash, implied store path. */
export namespace LockInputsRequest {
  export const method = 'nixboot/lock/inputs';
  export interface Params {
    readonly lockFile: string;
  }
  export interface Result {
    readonly inputs: { readonly name: string; readonly key: string; readonly type: string; readonly source: string; readonly narHash?: string; readonly storePath?: string; readonly rev?: string; readonly lastModified?: number }[];
  }
}

/** Walks a repository's history (all refs, newest `limit` commits) for the commit(s) whose tree has the input's narHash. Reports progress; cancellable. */
export namespace LockFindRevRequest {
  export const method = 'nixboot/lock/findRev';
  export interface Params {
    readonly lockFile: string;
    readonly input: string;
    readonly repo: string;
    readonly limit?: number;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly narHash: string;
    readonly matches: { readonly oid: string; readonly time: number; readonly subject: string }[];
    readonly commitsConsidered: number;
    readonly treesHashed: number;
    readonly proof: string;
    readonly markdown: string;
  }
}

/** Chain of evidence for a file or store path: store path, path-info, deriver, derivation, sources, flake.lock input, commit. */
export namespace ProvenanceChainRequest {
  export const method = 'nixboot/provenance/chain';
  export interface Params {
    /** A file path (followed into the store) or a store path, possibly with a path inside it. */
    readonly path: string;
    readonly lockFile?: string;
    readonly repo?: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly subject: string;
    readonly links: ProvenanceLink[];
    readonly notes: string[];
    /** The flake.lock the sources were matched against. */
    readonly lockFile?: string;
    readonly markdown: string;
  }
}

/** Compares two store paths, directories or NAR files: changed entries, byte ranges, ELF sections, Mach-O page-hash slots. */
export namespace StorePathsCompareRequest {
  export const method = 'nixboot/storePaths/compare';
  export interface Params {
    readonly a: string;
    readonly b: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly identical: boolean;
    readonly changed: number;
    /** The text report (same as `nixboot nar-diff`). */
    readonly report: string;
    readonly markdown: string;
  }
}

/** A system generation as the generations engine reads it (see docs/generations.md). */
export interface GenerationInfo {
  readonly generation: number;
  /** ISO time: link birth time, ctime as fallback. */
  readonly date: string;
  readonly link: string;
  readonly storePath: string;
  readonly exists: boolean;
  readonly nixosVersion?: string;
  readonly kernelVersion?: string;
  readonly configurationRevision?: string;
  readonly label?: string;
  readonly kernel?: { readonly path: string; readonly size?: number };
  readonly initrd?: { readonly path: string; readonly size?: number };
  readonly init?: string;
  readonly kernelParams: string[];
  readonly specialisations: string[];
  readonly source: 'bootspec' | 'toplevel';
  /** `/run/current-system` points here. */
  readonly current: boolean;
  /** `/run/booted-system` points here. */
  readonly booted: boolean;
  /** The profile link points here (nixos-rebuild's "current"). */
  readonly default: boolean;
  /** The boot loader still has an entry (undefined: no loader configuration found). */
  readonly bootEntry?: boolean;
}

/** The /boot budget. */
export interface BootBudgetInfo {
  readonly loader: 'systemd-boot' | 'grub' | 'extlinux' | 'none';
  readonly bootDir: string;
  readonly copies: boolean;
  readonly freeBytes?: number;
  readonly totalBytes?: number;
  readonly usedByGenerations: number;
  readonly perGeneration: { readonly generation: number; readonly bytes: number; readonly ownBytes: number }[];
  readonly nextGenerationBytes: number;
  readonly roomFor?: number;
  readonly entries: number;
  /** The budget in one line, as views show it ("room for 100+ more" beyond ROOM_FOR_CAP). */
  readonly summary: string;
}

/** Lists the generations of the system profile under `root` (default: setting `nixboot.systemRoot`, else `/`). */
export namespace GenerationsListRequest {
  export const method = 'nixboot/generations/list';
  export interface Params {
    readonly root?: string;
    readonly profile?: string;
  }
  export interface Result {
    readonly root: string;
    readonly profile: string;
    readonly generations: GenerationInfo[];
    readonly budget: BootBudgetInfo;
    readonly warnings: { readonly kind: 'one-generation' | 'fewer-entries' | 'boot-full'; readonly message: string }[];
  }
}

/** Closure diff between two generations (numbers, or current/booted/default/previous). */
export namespace GenerationsDiffRequest {
  export const method = 'nixboot/generations/diff';
  export interface Params {
    readonly root?: string;
    readonly profile?: string;
    readonly a: string;
    readonly b: string;
  }
  export interface Result {
    readonly from: number;
    readonly to: number;
    readonly changes: {
      readonly pname: string;
      readonly kind: 'added' | 'removed' | 'changed';
      readonly before: string[];
      readonly after: string[];
      readonly sizeBefore: number;
      readonly sizeAfter: number;
      readonly sizeDelta: number;
    }[];
    readonly sizeBefore: number;
    readonly sizeAfter: number;
    readonly pathsBefore: number;
    readonly pathsAfter: number;
    /** A readable Markdown report. */
    readonly markdown: string;
  }
}

/** Which generations' closures contain a store path whose name matches `pattern` (a regex). */
export namespace GenerationsFindRequest {
  export const method = 'nixboot/generations/find';
  export interface Params {
    readonly root?: string;
    readonly profile?: string;
    readonly pattern: string;
  }
  export interface Result {
    readonly results: { readonly generation: number; readonly matches: string[] }[];
  }
}

/**
 * Boot rehearsal of a generation (docs/rehearse.md): boots its kernel and initrd in QEMU and
 * returns the verdict. While it runs the server sends RehearseConsoleNotification with the serial
 * console; the client may type with RehearseInputNotification. Cancelling kills QEMU.
 */
export namespace RehearseRequest {
  export const method = 'nixboot/rehearse/start';
  export interface Params {
    /** Chosen by the client; names the console and input notifications of this rehearsal. */
    readonly id: string;
    readonly root?: string;
    readonly profile?: string;
    /** A generation number (or current/default/booted/previous); or `path`, a toplevel. */
    readonly generation?: string;
    readonly path?: string;
    readonly accel?: 'auto' | 'kvm' | 'tcg';
    readonly timeoutSeconds?: number;
  }
  export interface Location {
    readonly option: string;
    readonly file: string;
    /** 1-based. */
    readonly line: number;
    readonly column: number;
    readonly initLine?: number;
    readonly text?: string;
  }
  export interface Result {
    readonly verdict: string;
    readonly ok: boolean;
    readonly summary: string;
    readonly timeMs: number;
    /** Console events, times in ms since power-on; `unit` for a failed systemd unit, `script`/`line` for a command not found. */
    readonly events: { readonly t: number; readonly kind: string; readonly text: string; readonly unit?: string; readonly script?: string; readonly line?: number }[];
    readonly causes: Location[];
    /** Scripted stage 1: when each hook ran, bounded by the /init lines printed around it; `at` in ms for ordering, `when` in words. */
    readonly hooks?: { readonly option: string; readonly file: string; readonly line: number; readonly column: number; readonly initFirst: number; readonly initLast: number; readonly state: string; readonly at: number; readonly when: string }[];
    /** The initrd image that was booted (for opening /init inside it). */
    readonly initrd?: string;
    /** The last lines of the serial console (at most 60 lines, 8 KiB). */
    readonly consoleTail?: string;
    readonly ssh?: { readonly hostPort: number; readonly guestPort: number; readonly banner?: string; readonly atMs?: number };
    readonly secrets?: { readonly paths: string[]; readonly note: string };
    readonly accel: { readonly accel: 'kvm' | 'tcg'; readonly reason: string };
    readonly notes: string[];
    /** A readable Markdown report (verdict, causes, timeline). */
    readonly markdown: string;
  }
}

/** Server → client: serial console output of a running rehearsal. */
export namespace RehearseConsoleNotification {
  export const method = 'nixboot/rehearse/console';
  export interface Params {
    readonly id: string;
    readonly text: string;
  }
}

/** Client → server: text typed at a running rehearsal's console. */
export namespace RehearseInputNotification {
  export const method = 'nixboot/rehearse/input';
  export interface Params {
    readonly id: string;
    readonly text: string;
  }
}
