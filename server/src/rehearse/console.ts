// Reading a stage-1 serial console as it arrives: lines (and the unfinished last line, which is
// where a prompt sits) become timeline events, and some events end the rehearsal with a verdict.
// Patterns are anchored on the exact texts the kernel, NixOS's stage-1-init.sh, busybox ash,
// bash, initramfs-tools and systemd print (see docs/rehearse.md for where each comes from).

export type EventKind =
  | 'kernel' // `Linux version …`: the kernel started
  | 'init' // `Run /init as init process`
  | 'network' // an address was configured / a link came up
  | 'ssh' // the forwarded SSH port answered with a banner (added by the runner, not from the console)
  | 'root-wait' // stage 1 is waiting for its root device: it got through its hooks
  | 'stage1-fail' // NixOS fail(): `An error occurred in stage 1 of the boot process`
  | 'kernel-panic' // `Kernel panic - not syncing: …`
  | 'command-not-found' // `/init: line N: X: not found` (ash) or `…: command not found` (bash)
  | 'unit-failed' // systemd: a unit failed
  | 'emergency' // systemd: emergency mode / locked root account
  | 'prompt' // a prompt waits for input (passphrase, unlock)
  | 'timeout'
  | 'qemu-exit'
  | 'cancelled';

export interface ConsoleEvent {
  /** Milliseconds since QEMU was started. */
  readonly t: number;
  readonly kind: EventKind;
  /** The console line (control sequences removed). */
  readonly text: string;
  /** `command-not-found`: the script, its line and the command. */
  readonly script?: string;
  readonly line?: number;
  readonly command?: string;
  /** `unit-failed`: the unit name (e.g. `foo.service`) when the console names it. */
  readonly unit?: string;
}

/** Events after which the rehearsal stops (the boot cannot get further by itself). */
export const TERMINAL: ReadonlySet<EventKind> = new Set([
  'root-wait',
  'stage1-fail',
  'kernel-panic',
  'emergency',
  'prompt',
  'timeout',
  'qemu-exit',
  'cancelled',
]);

// CSI / OSC / two-character escapes, then other C0 controls except tab.
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

export function cleanLine(s: string): string {
  return s.replace(/\r/g, '').replace(ESCAPES, '').trimEnd();
}

// A kernel log line may carry a `[    1.234567] ` timestamp.
export const STAMP = /^\[\s*\d+\.\d+\]\s?/;
// A kernel timestamp (`[%5lu.%06lu]`) after other text on the same line: a second message starts.
const JOINED_STAMP = /(?<=\S)[ \t\r]*(?=\[[ \d]{5,}\.\d{6}\] )/;

interface Pattern {
  readonly kind: EventKind;
  readonly re: RegExp;
  readonly fields?: (m: RegExpExecArray) => Partial<ConsoleEvent>;
}

const PATTERNS: readonly Pattern[] = [
  { kind: 'kernel', re: /^Linux version \d/ },
  { kind: 'init', re: /^Run (\S+) as init process/ },
  // NixOS stage-1-init.sh: fail() prints this header; waitDevice prints "waiting for device X to appear..."
  { kind: 'stage1-fail', re: /An error occurred in stage 1 of the boot process/ },
  { kind: 'root-wait', re: /^waiting for device \S+ to appear/ },
  // initramfs-tools (scripts/local): "Begin: Waiting for root file system ... "
  { kind: 'root-wait', re: /^Begin: Waiting for root file system/ },
  // systemd: the job that waits for the root device (`initrd-root-device.target` wants it).
  { kind: 'root-wait', re: /A start job is running for \/dev\/\S+/ },
  // The same status line ellipsized to the console width: "Job dev-disk-by\x2duuid-…tart running (5s / 1min 30s)".
  { kind: 'root-wait', re: /\bJob dev-\S+.*tart running \(/ },
  {
    kind: 'root-wait',
    re: /^Warning: dracut-initqueue: timeout, still waiting for following initqueue hooks/,
  },
  { kind: 'kernel-panic', re: /Kernel panic - not syncing: / },
  // busybox ash: "/init: line 42: sed-key: not found"; bash: "/init: line 42: sed-key: command not found"
  {
    kind: 'command-not-found',
    re: /^(\/\S*): line (\d+): (.+?): (?:command )?not found$/,
    fields: (m) => ({ script: m[1], line: Number(m[2]), command: m[3] }),
  },
  // systemd 252: "[FAILED] Failed to start foo.service - Description." (status line) and
  // "systemd[1]: foo.service: Failed with result 'exit-code'." (kernel log line).
  {
    kind: 'unit-failed',
    re: /\[FAILED\] Failed to start (\S+\.(?:service|mount|target|socket|device|swap|path|timer))\b/,
    fields: (m) => ({ unit: m[1] }),
  },
  { kind: 'unit-failed', re: /\[FAILED\] Failed to start (.+?)\.?$/ },
  {
    kind: 'unit-failed',
    re: /systemd\[1\]: (\S+\.(?:service|mount|socket|swap|path|timer)): Failed with result '/,
    fields: (m) => ({ unit: m[1] }),
  },
  {
    kind: 'emergency',
    re: /You are in emergency mode|Cannot open access to console, the root account is locked|Reached target .*Emergency Mode|Starting (?:\S+ )?emergency\.service|Entering emergency mode/,
  },
  {
    kind: 'network',
    re: /^udhcpc: lease of \S+ obtained|^IP-Config: Complete|: Link UP$|link becomes ready|^bound to \S+|^(?:\S+ )?ip=\S+ configured/i,
  },
];

/** A line that prompts for input and stays unanswered (the rest of the line is empty). */
const PROMPT = /(?:passphrase|password|pass phrase|unlock)[^:]*:\s*$/i;

export function classify(raw: string, t: number): ConsoleEvent[] {
  const text = cleanLine(raw);
  const body = text.replace(STAMP, '');
  const out: ConsoleEvent[] = [];
  const seen = new Set<EventKind>();
  for (const p of PATTERNS) {
    if (seen.has(p.kind)) continue;
    const m = p.re.exec(body);
    if (!m) continue;
    seen.add(p.kind);
    out.push({ t, kind: p.kind, text: body, ...(p.fields ? p.fields(m) : {}) });
  }
  return out;
}

/** Whether the unfinished last line is a prompt (checked after the console has been quiet). */
export function isPrompt(partial: string): boolean {
  const text = cleanLine(partial);
  return text.length > 0 && text.length < 300 && PROMPT.test(text);
}

/**
 * Splits a stream into lines, keeping the unfinished last one; bounded (a line longer than
 * `maxLine` is cut) and keeps at most `maxBytes` of console text for the report.
 */
export class ConsoleLog {
  private partial = '';
  private kept: string[] = [];
  private keptBytes = 0;
  truncated = false;

  constructor(
    private readonly maxBytes = 256 * 1024,
    private readonly maxLine = 4096,
  ) {}

  /**
   * Feeds text; returns the complete lines. Two kernel messages on one line (the boot console
   * hands over to the serial one without a newline after `Linux version …`) are two lines: each
   * is its own event.
   */
  push(chunk: string): string[] {
    this.keep(chunk);
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > this.maxLine) {
      parts.push(this.partial.slice(0, this.maxLine));
      this.partial = '';
    }
    return parts
      .map((p) => (p.length > this.maxLine ? p.slice(0, this.maxLine) : p))
      .flatMap((p) => p.split(JOINED_STAMP));
  }

  get unfinished(): string {
    return this.partial;
  }

  private keep(chunk: string): void {
    this.kept.push(chunk);
    this.keptBytes += chunk.length;
    while (this.keptBytes > this.maxBytes && this.kept.length > 1) {
      this.keptBytes -= this.kept.shift()!.length;
      this.truncated = true;
    }
    if (this.keptBytes > this.maxBytes) {
      const only = this.kept[0]!;
      this.kept[0] = only.slice(only.length - this.maxBytes);
      this.keptBytes = this.kept[0].length;
      this.truncated = true;
    }
  }

  /** The last `maxBytes` of console text (control sequences removed). */
  text(): string {
    return this.kept
      .join('')
      .split('\n')
      .map((l) => cleanLine(l))
      .join('\n');
  }
}
