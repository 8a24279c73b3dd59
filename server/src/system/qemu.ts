// Running `qemu-system-x86_64` for a boot rehearsal (server/src/rehearse): headless, no host disk,
// no network beyond a restricted user-mode net whose forwarded ports listen on 127.0.0.1, the
// serial console on a pipe (output live, input passed through). The only place that starts QEMU.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { onPath } from './exec';

const QEMU = 'qemu-system-x86_64';
export const QEMU_INSTALL_HINT = 'install QEMU, e.g. `apt-get install qemu-system-x86`';

export type Accel = 'kvm' | 'tcg';

export interface AccelProbe {
  readonly accel: Accel;
  /** Why this accelerator was chosen. */
  readonly reason: string;
}

/**
 * KVM only when the CPU really virtualises (`vmx`/`svm` in /proc/cpuinfo), `/dev/kvm` is usable
 * by this user and the host module is not `kvm_pvm` (software nested virtualisation: "works" and
 * takes minutes). Never found by trying KVM first: QEMU falls back only when KVM fails to start.
 */
export function probeAccel(files: { cpuinfo?: string; modules?: string; kvm?: string } = {}): AccelProbe {
  const read = (p: string) => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  const cpuinfo = read(files.cpuinfo ?? '/proc/cpuinfo');
  const flags = new Set(
    cpuinfo
      .split('\n')
      .filter((l) => /^flags\s*:/.test(l))
      .flatMap((l) =>
        l
          .replace(/^flags\s*:/, '')
          .trim()
          .split(/\s+/),
      ),
  );
  if (!flags.has('vmx') && !flags.has('svm'))
    return { accel: 'tcg', reason: 'the CPU shows no vmx/svm flag' };
  const modules = read(files.modules ?? '/proc/modules');
  if (/^kvm_pvm\s/m.test(modules))
    return { accel: 'tcg', reason: 'KVM is kvm_pvm (software nested virtualisation, very slow)' };
  const kvm = files.kvm ?? '/dev/kvm';
  try {
    fs.accessSync(kvm, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: `${kvm} is missing or not usable by this user` };
  }
  return { accel: 'kvm', reason: 'vmx/svm and a usable /dev/kvm' };
}

export function qemuAvailable(): boolean {
  return onPath(QEMU);
}

export interface QemuOptions {
  readonly accel: Accel;
  readonly kernel: string;
  readonly initrd: string;
  /** Kernel command line (the caller puts `console=ttyS0` last). */
  readonly append: string;
  /** A blank raw disk image (so stage 1 has a disk controller and waits for its root device). */
  readonly scratchDisk: string;
  /** Guest TCP port → host port on 127.0.0.1. */
  readonly forwards: ReadonlyArray<{ host: number; guest: number }>;
  readonly memoryMiB?: number;
}

export function qemuArgs(o: QemuOptions): string[] {
  const fwd = o.forwards.map((f) => `,hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`).join('');
  return [
    '-accel',
    o.accel,
    '-machine',
    'pc',
    '-m',
    String(o.memoryMiB ?? 512),
    '-smp',
    '1',
    '-nodefaults',
    '-display',
    'none',
    '-no-reboot',
    '-monitor',
    'none',
    '-chardev',
    'stdio,id=console0,signal=off',
    '-serial',
    'chardev:console0',
    '-kernel',
    o.kernel,
    '-initrd',
    o.initrd,
    '-append',
    o.append,
    // QEMU option lists split at commas; a comma in a value is written twice.
    '-drive',
    `file=${o.scratchDisk.replace(/,/g, ',,')},format=raw,if=virtio,cache=unsafe`,
    '-netdev',
    `user,id=net0,restrict=on${fwd}`,
    '-device',
    'virtio-net-pci,netdev=net0,romfile=',
  ];
}

export interface QemuProcess {
  readonly pid: number | undefined;
  readonly args: readonly string[];
  /** Resolves when QEMU has exited (never rejects): exit code or signal, and the end of stderr. */
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    error?: Error;
  }>;
  /** Sends bytes to the serial console. */
  write(data: string | Uint8Array): void;
  /** SIGKILL (harmless after exit). */
  kill(): void;
  /** Peak resident set size in bytes so far (VmHWM), read from /proc while it runs. */
  peakRss(): number | undefined;
  /** CPU time QEMU has used so far (user + system, ms), read from /proc while it runs. */
  cpuMs(): number | undefined;
}

/** Starts QEMU; `onOutput` gets the serial console as it arrives. */
export function startQemu(o: QemuOptions, onOutput: (chunk: Buffer) => void): QemuProcess {
  const args = qemuArgs(o);
  const child: ChildProcess = spawn(QEMU, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: false });
  let stderr = '';
  let error: Error | undefined;
  let peak: number | undefined;
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', (b: Buffer) => {
    if (stderr.length < 8192) stderr += b.toString('utf8');
  });
  child.stdin!.on('error', () => {
    /* QEMU gone: input is dropped */
  });
  const readPeak = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak ?? 0, Number(m[1]) * 1024);
    } catch {
      /* exited */
    }
  };
  const poll = setInterval(readPeak, 250);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    error?: Error;
  }>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code === 'ENOENT' ? new Error(`'${QEMU}' was not found on PATH (${QEMU_INSTALL_HINT})`) : e;
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stderr, error });
    });
  });
  return {
    pid: child.pid,
    args,
    exited,
    write(data) {
      if (child.stdin && !child.stdin.destroyed && child.exitCode === null) child.stdin.write(data);
    },
    kill() {
      readPeak();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    peakRss() {
      readPeak();
      return peak;
    },
    cpuMs() {
      if (child.pid === undefined || child.exitCode !== null) return undefined;
      try {
        // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks (USER_HZ, 100 on Linux), after the `(comm)`.
        const f = fs
          .readFileSync(`/proc/${child.pid}/stat`, 'utf8')
          .replace(/^.*\) /s, '')
          .split(' ');
        return (Number(f[11]) + Number(f[12])) * 10;
      } catch {
        return undefined;
      }
    },
  };
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; QEMU binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Connects to 127.0.0.1:port and reads the first line: the SSH identification string
 * (`SSH-2.0-…`) when an SSH server answers. With user-mode networking QEMU accepts every
 * connection and closes it when nothing in the guest listens, so "connected" means nothing;
 * only the banner counts.
 */
export function readBanner(
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let data = '';
    let done = false;
    const sock = net.connect({ host: '127.0.0.1', port });
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(v);
    };
    const onAbort = () => finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('data', (b: Buffer) => {
      data += b.toString('latin1');
      if (data.length > 1024) return finish(undefined);
      const nl = data.indexOf('\n');
      if (nl >= 0) {
        const line = data.slice(0, nl).replace(/\r$/, '');
        finish(line.startsWith('SSH-') ? line : undefined);
      }
    });
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
  });
}
