// Opening files that may not be files. open() of a FIFO blocks until a writer comes (forever, in
// a workspace someone else prepared): on the main thread that hangs the process, on Node's
// four-thread file-I/O pool four of them starve every later read. open() of a device can have
// side effects (a watchdog starts, a tape rewinds). So every file nixboot reads is opened here:
// stat first and refuse what is not a regular file without opening it, then open with O_NONBLOCK
// (a FIFO swapped in after the stat cannot block), then fstat the descriptor and refuse again.
// Imports nothing of ours: every area may use it.
import * as fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** What a path is, in words ('directory', 'FIFO', …), for messages. */
export function fileKind(st: fs.Stats | fs.BigIntStats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

/** The path exists but is not a regular file (a directory, FIFO, socket, device). */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is a ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
  }
}

const FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

function refuse(p: string | Buffer, st: fs.Stats): void {
  if (!st.isFile()) throw new NotRegularFileError(p.toString(), fileKind(st));
}

/** Opens a regular file for reading (symlinks followed); throws NotRegularFileError otherwise. */
export function openRegularSync(p: string | Buffer): { fd: number; stat: fs.Stats } {
  refuse(p, fs.statSync(p));
  const fd = fs.openSync(p, FLAGS);
  try {
    const stat = fs.fstatSync(fd);
    refuse(p, stat);
    return { fd, stat };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Opens a regular file for reading (symlinks followed); throws NotRegularFileError otherwise. */
export async function openRegular(p: string): Promise<{ handle: FileHandle; stat: fs.Stats }> {
  refuse(p, await fs.promises.stat(p));
  const handle = await fs.promises.open(p, FLAGS);
  try {
    const stat = await handle.stat();
    refuse(p, stat);
    return { handle, stat };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** The bytes of a regular file; refuses other kinds of file, and files above `maxBytes`. */
export function readRegularFileSync(p: string, maxBytes = Infinity): Buffer {
  const { fd, stat } = openRegularSync(p);
  try {
    if (stat.size > maxBytes) throw new FileTooLargeError(p, stat.size, maxBytes);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The bytes of a regular file; refuses other kinds of file, and files above `maxBytes`. */
export async function readRegularFile(p: string, maxBytes = Infinity): Promise<Buffer> {
  const { handle, stat } = await openRegular(p);
  try {
    if (stat.size > maxBytes) throw new FileTooLargeError(p, stat.size, maxBytes);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

class FileTooLargeError extends Error {
  readonly code = 'EFBIG';
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${path} is ${size} bytes, more than the ${limit} bytes read at most`);
    this.name = 'FileTooLargeError';
  }
}
