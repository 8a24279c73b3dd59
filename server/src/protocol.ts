// The ONE file of nixboot's custom LSP messages ('nixboot/…').
//
// The client imports this file for types and method names only (it must stay free of runtime
// dependencies other than plain constants). Each message is one documented declaration,
// `export const X = request<X.Params, X.Result>('nixboot/…')` (or `notification<X.Params>`),
// with its `Params` and `Result` types in the namespace of the same name. The declaration carries
// those types at compile time: the client sends and the server answers only through typed helpers
// (client/src/requests.ts, server/src/lsp/typed.ts), so wrong params or a wrong result field do not
// compile (test/protocol.types.ts). Long requests report work-done progress and honour
// cancellation. Positions in results are LSP positions (0-based line/character, UTF-16).
//
// Keep docs/protocol.md in sync: a test compares the two.

/** A request or notification declaration shared by client and server. */
export interface MessageDecl {
  readonly method: string;
}

/**
 * A request: its method name at run time; its params `P` and result `R` for the compiler only
 * (the phantom `types` field is never set).
 */
export interface RequestType<P, R> extends MessageDecl {
  readonly kind: 'request';
  readonly types?: { readonly params: P; readonly result: R };
}

/** A notification: its method name at run time; its params `P` for the compiler only. */
export interface NotificationType<P> extends MessageDecl {
  readonly kind: 'notification';
  readonly types?: { readonly params: P };
}

/** Declares a request whose params are `P` and whose result is `R`. */
export function request<P, R>(method: string): RequestType<P, R> {
  return { kind: 'request', method };
}

/** Declares a notification whose params are `P`. */
export function notification<P>(method: string): NotificationType<P> {
  return { kind: 'notification', method };
}

/** The params of a request or notification declaration. */
export type ParamsOf<T> =
  T extends RequestType<infer P, unknown> ? P : T extends NotificationType<infer P> ? P : never;
/** The result of a request declaration. */
export type ResultOf<T> = T extends RequestType<unknown, infer R> ? R : never;

/**
 * Which stage 1 the linter assumes for a document: `boot.initrd.systemd.enable` as set in the
 * workspace, else the default of the NixOS release (from flake.lock or `nixboot.nixosRelease`).
 * The client shows it in the status bar.
 */
export const StageOneRequest = request<StageOneRequest.Params, StageOneRequest.Result>('nixboot/stageOne');
export namespace StageOneRequest {
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
export const PingRequest = request<PingRequest.Params, PingRequest.Result>('nixboot/ping');
export namespace PingRequest {
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
export const DidChangeTrustNotification =
  notification<DidChangeTrustNotification.Params>('nixboot/didChangeTrust');
export namespace DidChangeTrustNotification {
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
export const PeersNotification = notification<PeersNotification.Params>('nixboot/didChangePeers');
export namespace PeersNotification {
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
export const InitrdOpenRequest = request<InitrdOpenRequest.Params, InitrdOpenRequest.Result>(
  'nixboot/initrd/open',
);
export namespace InitrdOpenRequest {
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
export const InitrdIdentifyRequest = Object.assign(
  request<InitrdIdentifyRequest.Params, InitrdIdentifyRequest.Result>('nixboot/initrd/identify'),
  {
    /** Most files per request. */
    MAX_FILES: 5000,
  },
);
export namespace InitrdIdentifyRequest {
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
export const InitrdCandidatesRequest = request<
  InitrdCandidatesRequest.Params,
  InitrdCandidatesRequest.Result
>('nixboot/initrd/candidates');
export namespace InitrdCandidatesRequest {
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
export const InitrdStatRequest = request<InitrdStatRequest.Params, InitrdStatRequest.Result>(
  'nixboot/initrd/stat',
);
export namespace InitrdStatRequest {
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
export const InitrdReadDirectoryRequest = request<
  InitrdReadDirectoryRequest.Params,
  InitrdReadDirectoryRequest.Result
>('nixboot/initrd/readDirectory');
export namespace InitrdReadDirectoryRequest {
  export interface Params {
    readonly file: string;
    readonly path: string;
  }
  export interface Result {
    readonly exists: boolean;
    readonly entries: {
      readonly name: string;
      readonly type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
      readonly resolvedType?: string;
    }[];
  }
}

/**
 * Bytes of a file (following symlinks inside the archive), base64. Files larger than 64 MiB are
 * refused unless a range of at most 64 MiB is asked for.
 */
export const InitrdReadFileRequest = request<InitrdReadFileRequest.Params, InitrdReadFileRequest.Result>(
  'nixboot/initrd/readFile',
);
export namespace InitrdReadFileRequest {
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
export const InitrdInspectRequest = request<InitrdInspectRequest.Params, InitrdInspectRequest.Result>(
  'nixboot/initrd/inspect',
);
export namespace InitrdInspectRequest {
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
export const InitrdCheckRequest = request<InitrdCheckRequest.Params, InitrdCheckRequest.Result>(
  'nixboot/initrd/check',
);
export namespace InitrdCheckRequest {
  export interface Params {
    readonly file: string;
    /** The generation's kernel version; modules for another version are reported. */
    readonly kernelVersion?: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    readonly problems: {
      readonly path: string;
      readonly severity: 'error' | 'warning';
      readonly code: string;
      readonly message: string;
      readonly line?: number;
    }[];
  }
}

/** Added, removed and changed entries between two images, systemd units first. */
export const InitrdDiffRequest = request<InitrdDiffRequest.Params, InitrdDiffRequest.Result>(
  'nixboot/initrd/diff',
);
export namespace InitrdDiffRequest {
  export interface Params {
    readonly a: string;
    readonly b: string;
    readonly workDoneToken?: string | number;
  }
  export interface Result {
    /** `unit`: a systemd unit (under a `systemd/system/` directory); units come first. */
    readonly changes: {
      readonly path: string;
      readonly kind: 'added' | 'removed' | 'changed';
      readonly detail?: string;
      readonly type: string;
      readonly text?: boolean;
      readonly unit: boolean;
    }[];
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
  readonly kind:
    'file' | 'storePath' | 'pathInfo' | 'deriver' | 'derivation' | 'source' | 'lockInput' | 'commit';
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
export const LockVerifyRequest = request<LockVerifyRequest.Params, LockVerifyRequest.Result>(
  'nixboot/lock/verify',
);
export namespace LockVerifyRequest {
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

/**
 * The flake.lock inputs (for pickers): input path, node key, source, narHash, implied store path,
 * and whether the input is fetched from git (`gitLike`: find-rev applies).
 */
export const LockInputsRequest = request<LockInputsRequest.Params, LockInputsRequest.Result>(
  'nixboot/lock/inputs',
);
export namespace LockInputsRequest {
  export interface Params {
    readonly lockFile: string;
  }
  export interface Result {
    readonly inputs: {
      readonly name: string;
      readonly key: string;
      readonly type: string;
      readonly source: string;
      readonly narHash?: string;
      readonly storePath?: string;
      readonly rev?: string;
      readonly lastModified?: number;
      readonly gitLike: boolean;
    }[];
  }
}

/** Walks a repository's history (all refs, newest `limit` commits) for the commit(s) whose tree has the input's narHash. Reports progress; cancellable. */
export const LockFindRevRequest = request<LockFindRevRequest.Params, LockFindRevRequest.Result>(
  'nixboot/lock/findRev',
);
export namespace LockFindRevRequest {
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

/**
 * Repositories to search for an input's commit (the "Find Commit Matching narHash" pick): the
 * location the lock names (`git+file:`, `path:`), and git repositories among the workspace
 * folders, their children and siblings whose remote or directory name matches the input.
 * Strongest first; `strong` = the lock names it or a remote is the input's repository.
 */
export const LockCheckoutsRequest = request<LockCheckoutsRequest.Params, LockCheckoutsRequest.Result>(
  'nixboot/lock/checkouts',
);
export namespace LockCheckoutsRequest {
  export interface Params {
    readonly lockFile: string;
    readonly input: string;
  }
  export interface Result {
    readonly candidates: {
      readonly path: string;
      readonly match: 'locked' | 'remote' | 'fork' | 'name';
      readonly strong: boolean;
      readonly reasons: string[];
      /** False: a location the lock names outside the workspace, proposed but not opened. */
      readonly checked: boolean;
    }[];
  }
}

/** Chain of evidence for a file or store path: store path, path-info, deriver, derivation, sources, flake.lock input, commit. */
export const ProvenanceChainRequest = request<ProvenanceChainRequest.Params, ProvenanceChainRequest.Result>(
  'nixboot/provenance/chain',
);
export namespace ProvenanceChainRequest {
  export interface Params {
    /** A file path (followed into the store) or a store path, possibly with a path inside it. */
    readonly path: string;
    /**
     * `path` is a file inside an image or another virtual file system (an `initrd:` URI's path),
     * not on this machine: the store path named in it (from its first `/nix/store/`) is traced, and
     * nothing at `path` on this machine is followed.
     */
    readonly virtual?: boolean;
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
export const StorePathsCompareRequest = request<
  StorePathsCompareRequest.Params,
  StorePathsCompareRequest.Result
>('nixboot/storePaths/compare');
export namespace StorePathsCompareRequest {
  export interface Params {
    readonly a: string;
    readonly b: string;
    /** Which of `a`, `b` are paths inside an image or virtual file system (see ProvenanceChainRequest `virtual`). */
    readonly virtual?: readonly ('a' | 'b')[];
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
  /** `storePath` on this machine (under the system root when it is not `/`). */
  readonly hostStorePath: string;
  readonly exists: boolean;
  readonly nixosVersion?: string;
  readonly kernelVersion?: string;
  readonly configurationRevision?: string;
  readonly label?: string;
  /** `path` as the system sees it; `hostPath` the same file on this machine (under the system root when it is not `/`). */
  readonly kernel?: { readonly path: string; readonly size?: number; readonly hostPath: string };
  readonly initrd?: { readonly path: string; readonly size?: number; readonly hostPath: string };
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
  readonly perGeneration: {
    readonly generation: number;
    readonly bytes: number;
    readonly ownBytes: number;
  }[];
  readonly nextGenerationBytes: number;
  readonly roomFor?: number;
  /** Generations of the current size the copies' space holds in all (only from a complete measurement; the boot-partition-budget rule's count). */
  readonly fits?: number;
  readonly entries: number;
  /** The budget in one line, as views show it ("room for 100+ more" beyond ROOM_FOR_CAP). */
  readonly summary: string;
}

/** Lists the generations of the system profile under `root` (default: setting `nixboot.systemRoot`, else `/`). */
export const GenerationsListRequest = request<GenerationsListRequest.Params, GenerationsListRequest.Result>(
  'nixboot/generations/list',
);
export namespace GenerationsListRequest {
  export interface Params {
    readonly root?: string;
    readonly profile?: string;
  }
  export interface Result {
    readonly root: string;
    readonly profile: string;
    readonly generations: GenerationInfo[];
    readonly budget: BootBudgetInfo;
    readonly warnings: {
      readonly kind: 'one-generation' | 'fewer-entries' | 'boot-full';
      readonly message: string;
    }[];
  }
}

/** Closure diff between two generations (numbers, or current/booted/default/previous). */
export const GenerationsDiffRequest = request<GenerationsDiffRequest.Params, GenerationsDiffRequest.Result>(
  'nixboot/generations/diff',
);
export namespace GenerationsDiffRequest {
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
export const GenerationsFindRequest = request<GenerationsFindRequest.Params, GenerationsFindRequest.Result>(
  'nixboot/generations/find',
);
export namespace GenerationsFindRequest {
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
 * The commands that make a generation the boot default (`setBootDefault`, with `generation`) or
 * roll the system back to the generation before the profile's default (`rollback`), as the
 * Generations view shows them in its confirmation and types them into a terminal. The server
 * builds them (server/src/system/profileCommands.ts) and never runs them.
 */
export const GenerationsSwitchCommandsRequest = request<
  GenerationsSwitchCommandsRequest.Params,
  GenerationsSwitchCommandsRequest.Result
>('nixboot/generations/switchCommands');
export namespace GenerationsSwitchCommandsRequest {
  export interface Params {
    readonly root?: string;
    readonly profile?: string;
    readonly action: 'setBootDefault' | 'rollback';
    /** For `setBootDefault`: a generation number, or current/booted/default/previous. */
    readonly generation?: string;
  }
  export interface Result {
    /** The generation the commands make the default. */
    readonly generation: number;
    /** Shell commands, run in order (with sudo). */
    readonly commands: string[];
    /** What running them changes, in one sentence. */
    readonly effect: string;
  }
}

/**
 * Boot rehearsal of a generation (docs/rehearse.md): boots its kernel and initrd in QEMU and
 * returns the verdict. While it runs the server sends RehearseConsoleNotification with the serial
 * console; the client may type with RehearseInputNotification. Cancelling kills QEMU.
 */
export const RehearseRequest = request<RehearseRequest.Params, RehearseRequest.Result>(
  'nixboot/rehearse/start',
);
export namespace RehearseRequest {
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
    readonly events: {
      readonly t: number;
      readonly kind: string;
      readonly text: string;
      readonly unit?: string;
      readonly script?: string;
      readonly line?: number;
    }[];
    readonly causes: Location[];
    /** Scripted stage 1: when each hook ran, bounded by the /init lines printed around it; `at` in ms for ordering, `when` in words. */
    readonly hooks?: {
      readonly option: string;
      readonly file: string;
      readonly line: number;
      readonly column: number;
      readonly initFirst: number;
      readonly initLast: number;
      readonly state: string;
      readonly at: number;
      readonly when: string;
    }[];
    /** The initrd image that was booted (for opening /init inside it). */
    readonly initrd?: string;
    /** The last lines of the serial console (at most 60 lines, 8 KiB). */
    readonly consoleTail?: string;
    readonly ssh?: {
      readonly hostPort: number;
      readonly guestPort: number;
      readonly banner?: string;
      readonly atMs?: number;
    };
    readonly secrets?: { readonly paths: string[]; readonly note: string };
    readonly accel: { readonly accel: 'kvm' | 'tcg'; readonly reason: string };
    readonly notes: string[];
    /** A readable Markdown report (verdict, causes, timeline). */
    readonly markdown: string;
  }
}

/** Server → client: serial console output of a running rehearsal. */
export const RehearseConsoleNotification =
  notification<RehearseConsoleNotification.Params>('nixboot/rehearse/console');
export namespace RehearseConsoleNotification {
  export interface Params {
    readonly id: string;
    readonly text: string;
  }
}

/** Client → server: text typed at a running rehearsal's console. */
export const RehearseInputNotification =
  notification<RehearseInputNotification.Params>('nixboot/rehearse/input');
export namespace RehearseInputNotification {
  export interface Params {
    readonly id: string;
    readonly text: string;
  }
}
