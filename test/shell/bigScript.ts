// A generated stage-1 hook of a given size for tests and benchmarks of the shell analysis: plain
// commands, redirections, `${…}` placeholders, `if` with `&&`, command substitutions in
// assignments and a pipeline, as real postDeviceCommands have; non-ASCII text every 16 blocks.
export function bigScript(bytes: number): { text: string; blocks: number } {
  const out: string[] = [];
  let size = 0;
  let blocks = 0;
  while (size < bytes) {
    const i = blocks++;
    const s =
      `echo "step ${i} __nixI${i % 50}__${i % 16 === 0 ? ' é→✓' : ''}" >> /tmp/log-${i}\n` +
      `if [ -e /dev/disk/by-label/d${i} ]; then mkdir -p /mnt/${i} && mount /dev/disk/by-label/d${i} /mnt/${i}; fi\n` +
      `x${i}=$(cat /proc/cmdline | grep -o 'foo=[a-z]*')\n`;
    out.push(s);
    size += Buffer.byteLength(s);
  }
  return { text: out.join(''), blocks };
}
