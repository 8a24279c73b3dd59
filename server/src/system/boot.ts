// What the boot loader on a (possibly mounted) /boot knows: systemd-boot entries, GRUB's grub.cfg,
// extlinux.conf. Each entry names the toplevel it boots (from `init=<toplevel>/init`) and the files
// it loads from /boot.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRegularFileSync } from '../files';

export type LoaderKind = 'systemd-boot' | 'grub' | 'extlinux' | 'none';

export interface BootEntry {
  /** Config file (systemd-boot entry) or menu title (GRUB/extlinux). */
  readonly name: string;
  readonly generation?: number;
  readonly specialisation?: string;
  /** Toplevel store path from `init=…/init`. */
  readonly toplevel?: string;
  /** Files in /boot it loads (paths relative to /boot). */
  readonly files: string[];
  /** extlinux: it loads device trees (FDT/FDTDIR) from a copied dtbs directory. */
  readonly deviceTreeDir?: boolean;
}

export interface BootLoaderState {
  readonly loader: LoaderKind;
  /** /boot on this machine (under the root). */
  readonly bootDir: string;
  readonly entries: BootEntry[];
  /** Generation of the default entry when known (systemd-boot `loader.conf`). */
  readonly defaultGeneration?: number;
}

const initOf = (text: string): string | undefined =>
  /\binit=(\/\S+)\/(?:init|prepare-root)\b/.exec(text)?.[1];

function read(p: string): string | undefined {
  try {
    return readRegularFileSync(p, 1 << 20).toString('utf8');
  } catch {
    return undefined;
  }
}

export function readBootLoader(root: string, bootDir = '/boot'): BootLoaderState {
  const boot = path.join(root, bootDir);
  const entriesDir = path.join(boot, 'loader', 'entries');
  let names: string[] | undefined;
  try {
    names = fs.readdirSync(entriesDir);
  } catch {
    names = undefined;
  }
  if (names) {
    const entries: BootEntry[] = [];
    for (const name of names.sort()) {
      const m = /^nixos(?:-[\w.-]+?)?-generation-(\d+)(?:-specialisation-(.+))?\.conf$/.exec(name);
      if (!m) continue;
      const text = read(path.join(entriesDir, name)) ?? '';
      const files: string[] = [];
      for (const line of text.split('\n')) {
        const k = /^\s*(linux|initrd|efi|devicetree)\s+(\S+)/.exec(line);
        if (k) files.push(k[2]!.replace(/^\/+/, ''));
      }
      entries.push({ name, generation: Number(m[1]), specialisation: m[2], toplevel: initOf(text), files });
    }
    const conf = read(path.join(boot, 'loader', 'loader.conf')) ?? '';
    const def = /^\s*default\s+nixos(?:-[\w.-]+?)?-generation-(\d+)(?:\.conf)?\s*$/m.exec(conf);
    return {
      loader: 'systemd-boot',
      bootDir: boot,
      entries,
      defaultGeneration: def ? Number(def[1]) : undefined,
    };
  }
  const grub = read(path.join(boot, 'grub', 'grub.cfg'));
  if (grub !== undefined)
    return {
      loader: 'grub',
      bootDir: boot,
      entries: parseMenu(grub, /^\s*menuentry\s+["']([^"']*)["']/, /^\s*(?:linux|initrd)\s+(\S+)/),
    };
  const ext = read(path.join(boot, 'extlinux', 'extlinux.conf'));
  if (ext !== undefined)
    return {
      loader: 'extlinux',
      bootDir: boot,
      entries: parseMenu(
        ext,
        /^\s*(?:LABEL|MENU LABEL)\s+(.*)$/i,
        /^\s*(?:LINUX|KERNEL|INITRD)\s+(\S+)/i,
        /^\s*FDT(?:DIR)?\s+\S/i,
      ),
    };
  return { loader: 'none', bootDir: boot, entries: [] };
}

/**
 * A file a menu line loads, relative to /boot, or undefined when it is read from the store. GRUB
 * names its copies `($driveN)/kernels/NAME` (a search for the /boot file system) or
 * `/kernels/NAME`, `/boot/kernels/NAME` (install-grub.pl's copyToKernelsDir); extlinux `../nixos/NAME`.
 */
function bootRelative(p: string): string | undefined {
  if (p.startsWith('/nix/store/')) return undefined;
  const drive = /^\(\$drive\d+\)(\/.*)$/.exec(p);
  if (drive) {
    const m = /^\/(?:boot\/)?(kernels\/[^/]+)$/.exec(drive[1]!);
    return m ? m[1] : undefined; // another drive path: the store
  }
  return p.replace(/^(\.\.\/)+|^\/+/, '');
}

function parseMenu(text: string, head: RegExp, file: RegExp, deviceTree?: RegExp): BootEntry[] {
  const entries: { name: string; body: string[] }[] = [];
  for (const line of text.split('\n')) {
    const h = head.exec(line);
    if (h) {
      const prev = entries[entries.length - 1];
      // extlinux: "LABEL x" followed by "MENU LABEL y" is one entry.
      if (prev && prev.body.length === 0 && /MENU LABEL/i.test(line)) prev.name = h[1]!.trim();
      else entries.push({ name: h[1]!.trim(), body: [] });
    } else if (entries.length) entries[entries.length - 1]!.body.push(line);
  }
  return entries.map((e) => {
    const body = e.body.join('\n');
    const files: string[] = [];
    for (const l of e.body) {
      const m = file.exec(l);
      const rel = m ? bootRelative(m[1]!) : undefined;
      if (rel) files.push(rel);
    }
    const n = /(?:Configuration|nixos-)\s*(\d+)/i.exec(e.name);
    const dt = deviceTree !== undefined && e.body.some((l) => deviceTree.test(l));
    return {
      name: e.name,
      generation: n ? Number(n[1]) : undefined,
      toplevel: initOf(body),
      files,
      ...(dt ? { deviceTreeDir: true } : {}),
    };
  });
}
