// What stage 1 is made of: which options are scripted hooks, and which commands each kind of
// stage 1 has. Facts from nixpkgs' nixos/modules/system/boot/{stage-1.nix, stage-1-init.sh,
// initrd-network.nix, luksroot.nix, systemd/initrd.nix}; see docs/rules/*.md for the details.
import type { SyntaxNode } from '../syntax/tree';
import { applyChain, calleeName, identName, letScope, nodes, tokens, unparen } from './definitions';

export interface ScriptHook {
  /** Option path pattern ('*' matches one attribute name). */
  readonly pattern: string;
  /** How the text reaches /init, for messages and docs. */
  readonly how: string;
}

/**
 * Scripted stage-1 hooks whose text is pasted inline into `/init` (PID 1, busybox ash, with
 * `trap fail 0`), so a top-level `exit` ends init.
 */
export const SCRIPTED_HOOKS: readonly ScriptHook[] = [
  { pattern: 'boot.initrd.preDeviceCommands', how: 'inlined into /init before udev starts' },
  { pattern: 'boot.initrd.preLVMCommands', how: 'inlined into /init before LVM activation' },
  { pattern: 'boot.initrd.postDeviceCommands', how: 'inlined into /init after devices are created' },
  { pattern: 'boot.initrd.postResumeCommands', how: 'inlined into /init after the resume attempt' },
  {
    pattern: 'boot.initrd.postMountCommands',
    how: 'inlined into /init after the stage-1 file systems are mounted',
  },
  {
    pattern: 'boot.initrd.preFailCommands',
    how: 'inlined into the fail() function of /init, which the EXIT trap runs',
  },
  {
    pattern: 'boot.initrd.network.postCommands',
    how: 'prepended to preLVMCommands by initrd-network.nix (mkBefore), inlined into /init',
  },
  {
    pattern: 'boot.initrd.luks.devices.*.preOpenCommands',
    how: 'inlined into the LUKS open code of /init (preLVMCommands or postDeviceCommands)',
  },
  {
    pattern: 'boot.initrd.luks.devices.*.postOpenCommands',
    how: 'inlined into the LUKS open code of /init (preLVMCommands or postDeviceCommands)',
  },
];

/** systemd stage 1: unit scripts, run by bash as their own process. */
export const SYSTEMD_STAGE1_SCRIPT_OPTIONS: readonly string[] = [
  'boot.initrd.systemd.services.*.script',
  'boot.initrd.systemd.services.*.preStart',
  'boot.initrd.systemd.services.*.postStart',
  'boot.initrd.systemd.services.*.preStop',
  'boot.initrd.systemd.services.*.postStop',
];

/**
 * Applets of nixpkgs' busybox (its defconfig build, which scripted stage 1 copies whole into
 * extra-utils). Also what a Debian busybox lists with `busybox --list`.
 */
export const BUSYBOX_APPLETS: ReadonlySet<string> = new Set(
  (
    '[ [[ acpid add-shell addgroup adduser adjtimex ar arch arp arping ascii ash awk base32 base64 basename bc beep ' +
    'blkdiscard blkid blockdev bootchartd brctl bunzip2 bzcat bzip2 cal cat chat chattr chgrp chmod chown chpasswd ' +
    'chpst chroot chrt chvt cksum clear cmp comm conspy cp cpio crc32 crond crontab cryptpw cttyhack cut date dc dd ' +
    'deallocvt delgroup deluser depmod devmem df dhcprelay diff dirname dmesg dnsd dnsdomainname dos2unix dpkg ' +
    'dpkg-deb du dumpkmap dumpleases echo ed egrep eject env envdir envuidgid ether-wake expand expr factor ' +
    'fakeidentd fallocate false fatattr fbset fbsplash fdflush fdformat fdisk fgconsole fgrep find findfs flock fold ' +
    'free freeramdisk fsck fsck.minix fsfreeze fstrim fsync ftpd ftpget ftpput fuser getfattr getopt getty grep ' +
    'groups gunzip gzip halt hd hdparm head hexdump hexedit hostid hostname httpd hush hwclock i2cdetect i2cdump ' +
    'i2cget i2cset i2ctransfer id ifconfig ifdown ifenslave ifplugd ifup inetd init insmod install ionice iostat ip ' +
    'ipaddr ipcalc ipcrm ipcs iplink ipneigh iproute iprule iptunnel kbd_mode kill killall killall5 klogd last less ' +
    'link linux32 linux64 linuxrc ln loadfont loadkmap logger login logname logread losetup lpd lpq lpr ls lsattr ' +
    'lsmod lsof lspci lsscsi lsusb lzcat lzma lzop lzopcat makedevs makemime man md5sum mdev mesg microcom mim mkdir ' +
    'mkdosfs mke2fs mkfifo mkfs.ext2 mkfs.minix mkfs.vfat mknod mkpasswd mkswap mktemp modinfo modprobe more mount ' +
    'mountpoint mpstat mt mv nameif nanddump nandwrite nbd-client nc netstat nice nl nmeter nohup nologin nproc ' +
    'nsenter nslookup ntpd nuke od openvt partprobe passwd paste patch pgrep pidof ping ping6 pipe_progress ' +
    'pivot_root pkill pmap popmaildir poweroff powertop printenv printf ps pscan pstree pwd pwdx raidautorun rdate ' +
    'rdev readahead readlink readprofile realpath reboot reformime remove-shell renice reset resize resume rev rm ' +
    'rmdir rmmod route rpm rpm2cpio rtcwake run-init run-parts runlevel runsv runsvdir rx script scriptreplay sed ' +
    'sendmail seq setarch setconsole setfattr setfont setkeycodes setlogcons setpriv setserial setsid setuidgid sh ' +
    'sha1sum sha256sum sha3sum sha512sum showkey shred shuf slattach sleep smemcap softlimit sort split ssl_client ' +
    'start-stop-daemon stat strings stty su sulogin sum sv svc svlogd svok swapoff swapon switch_root sync sysctl ' +
    'syslogd tac tail tar taskset tc tcpsvd tee telnet telnetd test tftp tftpd time timeout top touch tr traceroute ' +
    'traceroute6 tree true truncate ts tty ttysize tunctl ubiattach ubidetach ubimkvol ubirename ubirmvol ubirsvol ' +
    'ubiupdatevol udhcpc udhcpc6 udhcpd udpsvd uevent umount uname unexpand uniq unix2dos unlink unlzma unshare unxz ' +
    'unzip uptime users usleep uudecode uuencode vconfig vi vlock volname w wall watch watchdog wc wget which who ' +
    'whoami whois xargs xxd xz xzcat yes zcat zcip'
  ).split(' '),
);

/** What stage-1.nix's extra-utils builder copies besides busybox. */
export const EXTRA_UTILS: ReadonlySet<string> = new Set([
  'blkid',
  'dmsetup',
  'lvm',
  'mdadm',
  'mdmon',
  'systemd-udevd',
  'udevadm',
  'ata_id',
  'cdrom_id',
  'scsi_id',
  'fido_id',
  'mtd_probe',
  'v4l_id',
  'kmod',
  'modprobe',
  'insmod',
  'rmmod',
  'lsmod',
  'modinfo',
  'depmod',
  'resize2fs',
  'ld-linux-x86-64.so.2',
]);

/**
 * Commands NixOS modules add to scripted stage 1 when their feature is enabled (file systems,
 * LUKS, ZFS, bcachefs, initrd SSH, network, …). We stay silent on these rather than guess whether
 * the feature is on.
 */
export const MODULE_PROVIDED: ReadonlySet<string> = new Set([
  'cryptsetup',
  'cryptsetup-askpass',
  'zfs',
  'zpool',
  'zdb',
  'mount.zfs',
  'btrfs',
  'btrfsck',
  'bcachefs',
  'mount.bcachefs',
  'e2fsck',
  'fsck.ext2',
  'fsck.ext3',
  'fsck.ext4',
  'fsck.vfat',
  'fsck.fat',
  'dosfsck',
  'fsck.btrfs',
  'fsck.xfs',
  'xfs_repair',
  'xfs_growfs',
  'fsck.f2fs',
  'mount.ntfs',
  'ntfs-3g',
  'sshd',
  'ssh-keygen',
  'dropbear',
  'dropbearkey',
  'ip',
  'udhcpc',
  'dhcpcd',
  'ykchalresp',
  'ykinfo',
  'gpg',
  'gpg-agent',
  'gpgconf',
  'fido2luks',
  'openssl',
  'plymouth',
  'plymouthd',
  'multipath',
  'multipathd',
  'kpartx',
  'iscsistart',
  'iscsiadm',
  'nbd-client',
  'clevis',
  'tpm2',
  'jose',
  'keyctl',
  'vgchange',
  'lvchange',
  'pvscan',
  'vgscan',
  'lvscan',
  'stratis-min',
  'mount.nfs',
  'rpcbind',
  'unl0kr',
  'mkswap',
  'fsck',
  'switch_root',
  'killall',
  'setsid',
  // shell functions that stage-1-init.sh defines before the hooks run
  'fail',
  'info',
  'askPassword',
  'waitDevice',
  'mountFS',
  'checkFS',
]);

/** Defaults of `boot.initrd.systemd.initrdBin` (bashInteractive, coreutils, kmod, systemd) and `extraBin`. */
export const SYSTEMD_STAGE1_DEFAULT_COMMANDS: ReadonlySet<string> = new Set(
  // bash
  (
    'bash sh ' +
    // coreutils
    '[ b2sum base32 base64 basename basenc cat chcon chgrp chmod chown chroot cksum comm cp csplit cut date dd df ' +
    'dir dircolors dirname du echo env expand expr factor false fmt fold groups head hostid id install join kill link ' +
    'ln logname ls md5sum mkdir mkfifo mknod mktemp mv nice nl nohup nproc numfmt od paste pathchk pinky pr printenv ' +
    'printf ptx pwd readlink realpath rm rmdir runcon seq sha1sum sha224sum sha256sum sha384sum sha512sum shred shuf ' +
    'sleep sort split stat stdbuf stty sum sync tac tail tee test timeout touch tr true truncate tsort tty uname ' +
    'unexpand uniq unlink users vdir wc who whoami yes ' +
    // kmod
    'kmod modprobe insmod rmmod lsmod modinfo depmod ' +
    // systemd (the binaries that matter in stage 1)
    'systemctl journalctl udevadm systemd-ask-password systemd-tty-ask-password-agent systemd-cryptsetup ' +
    'systemd-escape systemd-notify systemd-run systemd-tmpfiles systemd-sysctl systemd-repart systemd-creds ' +
    'systemd-cat systemd-mount systemd-umount systemd-machine-id-setup systemd-detect-virt loginctl busctl ' +
    'hostnamectl networkctl resolvectl bootctl kernel-install systemd-hwdb systemd-id128 systemd-path ' +
    'systemd-socket-activate systemd-stdio-bridge systemd-sysusers systemd-veritysetup systemd-cryptenroll ' +
    // extraBin defaults
    'less mount umount fsck'
  ).split(' '),
);

/** Extra commands systemd stage 1 gets from NixOS modules when their feature is on (silent on these). */
export const SYSTEMD_MODULE_PROVIDED: ReadonlySet<string> = new Set([
  'cryptsetup',
  'zfs',
  'zpool',
  'mount.zfs',
  'btrfs',
  'bcachefs',
  'e2fsck',
  'fsck.ext4',
  'fsck.vfat',
  'sshd',
  'ssh-keygen',
  'ip',
  'lvm',
  'dmsetup',
  'mdadm',
  'plymouth',
  'clevis',
  'tpm2',
  'multipath',
  'kpartx',
  'keyctl',
  'mkswap',
  'swapon',
  'swapoff',
  'blkid',
  'findmnt',
  'lsblk',
  'unl0kr',
]);

// ---- guards: definitions that only apply when systemd stage 1 is off ----

const SYSTEMD_ENABLE = 'config.boot.initrd.systemd.enable';
const CONDITION_FNS = new Set([
  'mkIf',
  'optionalAttrs',
  'optionalString',
  'optional',
  'optionals',
  'mkIfNotNull',
]);
const PASS_FNS = new Set(['mkBefore', 'mkAfter', 'mkForce', 'mkDefault', 'mkOverride', 'mkOrder']);

/** Let bindings visible at `n` (innermost first wins), name → value node. */
function letBindingsAt(n: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  for (let cur: SyntaxNode | undefined = n.parent, i = 0; cur && i < 256; cur = cur.parent, i++) {
    if (cur.kind !== 'LetIn' && cur.kind !== 'LegacyLet') continue;
    for (const [k, v] of letScope(cur, new Map())) if (!out.has(k)) out.set(k, v);
  }
  return out;
}

/** The source of an expression with let-bound names substituted (`cfg.enable` with `cfg = config.boot.initrd.systemd`). */
function resolvedText(n: SyntaxNode, text: string, lets: Map<string, SyntaxNode>, depth = 0): string {
  const u = unparen(n);
  if (!u) return '';
  const raw = text.slice(u.start, u.end).replace(/\s+/g, '');
  if (depth > 8) return raw;
  const m = /^([A-Za-z_][\w'-]*)((?:\.[A-Za-z_][\w'-]*)*)$/.exec(raw);
  if (m) {
    const bound = lets.get(m[1]!);
    if (bound && bound !== u) return resolvedText(bound, text, lets, depth + 1) + m[2]!;
  }
  return raw;
}

/** Whether a condition is false whenever systemd stage 1 is on: `!config.boot.initrd.systemd.enable`, an alias, `… && !…`. */
function excludesSystemdStage1(
  cond: SyntaxNode,
  text: string,
  lets: Map<string, SyntaxNode>,
  depth = 0,
): boolean {
  const u = unparen(cond);
  if (!u || depth > 8) return false;
  if (u.kind === 'Ident') {
    const bound = lets.get(identName(u) ?? '');
    return bound !== undefined && bound !== u && excludesSystemdStage1(bound, text, lets, depth + 1);
  }
  if (u.kind === 'UnaryOp') {
    if (tokens(u)[0]?.text !== '!') return false;
    const inner = nodes(u)[0];
    return inner !== undefined && resolvedText(inner, text, lets) === SYSTEMD_ENABLE;
  }
  if (u.kind === 'BinaryOp') {
    const op = tokens(u).find((t) => t.kind !== 'whitespace')?.text;
    const [l, r] = nodes(u);
    if (!l || !r) return false;
    if (op === '&&')
      return (
        excludesSystemdStage1(l, text, lets, depth + 1) || excludesSystemdStage1(r, text, lets, depth + 1)
      );
    const lt = resolvedText(l, text, lets);
    const rt = resolvedText(r, text, lets);
    if (op === '==')
      return (lt === SYSTEMD_ENABLE && rt === 'false') || (rt === SYSTEMD_ENABLE && lt === 'false');
    if (op === '!=')
      return (lt === SYSTEMD_ENABLE && rt === 'true') || (rt === SYSTEMD_ENABLE && lt === 'true');
  }
  return false;
}

/**
 * Whether a definition only applies when systemd stage 1 is off: it sits under
 * `mkIf (!config.boot.initrd.systemd.enable)` (or `optionalString`/`optionalAttrs`, a let alias of
 * the condition, `if config.boot.initrd.systemd.enable then … else <here>`). nixpkgs' own modules
 * guard their scripted hooks this way (initrd-ssh.nix: `postCommands = mkIf (!config.boot.initrd.systemd.enable) …`).
 */
export function scriptedOnly(
  def: { readonly value: SyntaxNode; readonly written?: SyntaxNode; readonly binding?: SyntaxNode },
  text: string,
): boolean {
  let lets: Map<string, SyntaxNode> | undefined;
  const excludes = (cond: SyntaxNode): boolean =>
    excludesSystemdStage1(cond, text, (lets ??= letBindingsAt(def.binding ?? def.value)));
  // The value as written: `mkIf (!…) (mkBefore script)`, where `script` may be let-bound elsewhere.
  let cur: SyntaxNode | undefined = def.written;
  for (let i = 0; cur && i < 32; i++) {
    cur = unparen(cur);
    if (!cur || cur.kind !== 'Apply') break;
    const { fn, args } = applyChain(cur);
    const name = calleeName(fn);
    if (name && CONDITION_FNS.has(name) && args.length === 2) {
      if (excludes(args[0]!)) return true;
      cur = args[1];
    } else if (name && PASS_FNS.has(name) && args.length >= 1) cur = args[args.length - 1];
    else break;
  }
  // Guards around the binding (`config = mkIf (!…) { … }`) or around the value (`if … then … else`).
  let child: SyntaxNode = def.written ?? def.value;
  for (let up = child.parent, i = 0; up && i < 256; child = up, up = up.parent, i++) {
    if (up.kind === 'Apply') {
      // Only the outermost Apply of a call chain names the function; look at the chain when `child` is its last argument.
      let top: SyntaxNode = up;
      while (top.parent?.kind === 'Apply') top = top.parent;
      const { fn, args } = applyChain(top);
      const name = calleeName(fn);
      if (
        name &&
        CONDITION_FNS.has(name) &&
        args.length === 2 &&
        args[1] === (up === top ? child : undefined) &&
        excludes(args[0]!)
      )
        return true;
    } else if (up.kind === 'IfElse') {
      const [cond, thenB, elseB] = nodes(up);
      if (!cond) continue;
      if (child === thenB && excludes(cond)) return true;
      if (
        child === elseB &&
        resolvedText(cond, text, (lets ??= letBindingsAt(def.binding ?? def.value))) === SYSTEMD_ENABLE
      )
        return true;
    }
  }
  return false;
}
