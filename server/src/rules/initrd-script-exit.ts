// Rule initrd-script-exit: `exit`, `return` or `exec` at the top level of a scripted stage-1 hook.
import type { Definition } from '../nixos/definitions';
import { SCRIPTED_HOOKS, scriptedOnly } from '../nixos/stage1';
import { runsInScriptShell, type ShellAnalysis, type ShellCommand } from '../shell/analyze';
import { isVerbatim, type ShellScript } from '../shell/source';
import type { Fix, Rule, RuleContext } from './types';
import { scriptsOf } from './util';

const FATAL = new Set(['exit', 'return', 'exec']);

/** The statement right before `c` in the same list, if any. */
function previous(shell: ShellAnalysis, c: ShellCommand): ShellCommand | undefined {
  return shell.commands.find((p) => p.listId === c.listId && p.indexInList === c.indexInList - 1);
}

/**
 * Seed 001's shape: `echo "…" >> /root/.profile; exit`. The user meant the appended text to end
 * with `exit` (which ends the SSH unlock session); offer to move it inside the quotes.
 */
function moveIntoAppendedText(
  ctx: RuleContext,
  script: ShellScript,
  shell: ShellAnalysis,
  c: ShellCommand,
): Fix | undefined {
  const prev = previous(shell, c);
  if (!prev?.name || !['echo', 'printf'].includes(prev.name.value ?? '')) return undefined;
  if (!prev.redirects.some((r) => (r.op === '>>' || r.op === '>') && r.target?.value !== undefined))
    return undefined;
  const lastArg = prev.args[prev.args.length - 1];
  if (!lastArg || lastArg === prev.name || lastArg.closingQuote === undefined) return undefined;
  if (c.context.conditional || prev.context.conditional) return undefined;
  const between = script.text.slice(prev.stmtEnd, c.stmtStart);
  if (!/^[ \t]*;?[ \t]*$/.test(between)) return undefined;
  const exitText = script.text.slice(c.stmtStart, c.stmtEnd);
  if (!isVerbatim(script, ctx.file.text, prev.stmtEnd, c.stmtEnd)) return undefined;
  if (!isVerbatim(script, ctx.file.text, lastArg.closingQuote, lastArg.closingQuote + 1)) return undefined;
  const quoteAt = script.toFile(lastArg.closingQuote);
  const target = prev.redirects.find((r) => r.op === '>>' || r.op === '>')?.target?.value ?? 'the file';
  return {
    title: `Move \`${exitText}\` into the text appended to ${target}`,
    edits: [
      { start: quoteAt, end: quoteAt, newText: `; ${exitText}` },
      { ...script.rangeToFile(prev.stmtEnd, c.stmtEnd), newText: '' },
    ],
    safe: true,
    preferred: true,
  };
}

function removeStatement(ctx: RuleContext, script: ShellScript, c: ShellCommand): Fix | undefined {
  // Remove `; exit` (same line) or the whole line when the statement is alone on it.
  const lineStart = script.text.lastIndexOf('\n', c.stmtStart - 1) + 1;
  const nl = script.text.indexOf('\n', c.stmtEnd);
  const lineEnd = nl < 0 ? script.text.length : nl;
  const before = script.text.slice(lineStart, c.stmtStart);
  const after = script.text.slice(c.stmtEnd, lineEnd);
  let start: number;
  let end: number;
  if (/^\s*$/.test(before) && /^\s*;?\s*$/.test(after)) {
    start = lineStart;
    end = nl < 0 ? lineEnd : lineEnd + 1;
  } else {
    const m = /;?[ \t]*$/.exec(before)!;
    start = c.stmtStart - m[0].length;
    end = c.stmtEnd;
    if (m[0].length === 0) {
      const semi = /^[ \t]*;[ \t]*/.exec(after);
      end = c.stmtEnd + (semi ? semi[0].length : 0);
    }
  }
  if (start >= end || !isVerbatim(script, ctx.file.text, start, end)) return undefined;
  return {
    title: `Remove \`${script.text.slice(c.stmtStart, c.stmtEnd)}\``,
    edits: [{ ...script.rangeToFile(start, end), newText: '' }],
    safe: true,
  };
}

function stageNote(ctx: RuleContext): string {
  const s = ctx.project.stageOne;
  if (s.systemd === true)
    return ` (Here ${s.reason}: this option is rejected at evaluation under systemd stage 1 anyway — see systemd-initrd-scripted-hook.)`;
  if (s.systemd === undefined)
    return ' With scripted stage 1 this kills PID 1; with systemd stage 1 (the default from NixOS 26.05) the option is rejected at evaluation.';
  return '';
}

function hookOf(def: Definition): string {
  const p = def.path.join('.');
  return (
    SCRIPTED_HOOKS.find((h) => {
      const pat = h.pattern.split('.');
      return pat.length === def.path.length && pat.every((x, i) => x === '*' || x === def.path[i]);
    })?.how ?? p
  );
}

export const rule: Rule = {
  id: 'initrd-script-exit',
  severity: 'error',
  title: '`exit` at the top level of a stage-1 hook kills init',
  docs: {
    summary:
      '`exit`, `return` or `exec COMMAND` at the top level of a scripted stage-1 hook (boot.initrd.preDeviceCommands, ' +
      'preLVMCommands, postDeviceCommands, postResumeCommands, postMountCommands, preFailCommands, network.postCommands, ' +
      'luks.devices.<name>.preOpenCommands/postOpenCommands).',
    why:
      'Scripted stage 1 pastes these hooks inline into `/init`, which runs as PID 1 under busybox ash with `trap fail 0`. ' +
      'A top-level `exit` fires the trap: `fail()` shows its menu on the console (or exits at once with ' +
      '`boot.panic_on_fail`), then init ends and the kernel panics with "Attempted to kill init!". A remote server ' +
      'never finishes booting. Seed 001: `echo "zfs load-key zroot; killall zfs" >> /root/.profile; exit` in ' +
      '`boot.initrd.network.postCommands` — the `exit` was meant to go inside the quotes. ' +
      '`network.postCommands` is prepended to `preLVMCommands` (initrd-network.nix); `preFailCommands` runs inside ' +
      '`fail()` itself; LUKS pre/postOpenCommands are inlined into the LUKS open code. ' +
      'Not flagged: `exit` in subshells `( … )`, command substitutions, pipelines, background jobs, `sh -c` strings, ' +
      'quoted text, heredoc bodies, comments, bodies of functions that are never called, and ' +
      '`boot.initrd.systemd.services.*.script`, which runs as its own process.',
    bad: "boot.initrd.network.postCommands = ''\n  echo \"zfs load-key zroot; killall zfs\" >> /root/.profile; exit\n'';",
    good: "boot.initrd.network.postCommands = ''\n  echo \"zfs load-key zroot; killall zfs; exit\" >> /root/.profile\n'';",
    fix:
      'For the `echo "…" >> file; exit` shape the quick fix moves `exit` into the appended text; otherwise it removes ' +
      'the statement. If you need to stop the hook early, wrap its code in a function and `return` from it, or use ' +
      '`if … fi`.',
    references: [
      'nixpkgs nixos/modules/system/boot/stage-1-init.sh (trap fail 0, fail())',
      'nixpkgs nixos/modules/system/boot/stage-1.nix',
      'nixpkgs nixos/modules/system/boot/initrd-network.nix (postCommands → preLVMCommands)',
      'nixpkgs nixos/modules/system/boot/luksroot.nix (preOpenCommands/postOpenCommands)',
    ],
  },
  check(ctx) {
    for (const hook of SCRIPTED_HOOKS) {
      for (const def of ctx.definitions(hook.pattern)) {
        // Under systemd stage 1 a hook guarded by mkIf (!config.boot.initrd.systemd.enable) never runs.
        if (ctx.project.stageOne.systemd === true && scriptedOnly(def, ctx.file.text)) continue;
        for (const { script, shell } of scriptsOf(def)) {
          for (const c of shell.commands) {
            const name = c.name?.value;
            if (!c.name || !name || !FATAL.has(name)) continue;
            if (!runsInScriptShell(c, shell)) continue;
            if (name === 'exec' && c.args.length < 2) continue; // `exec >log` only redirects
            const fixes =
              name === 'exec'
                ? []
                : [moveIntoAppendedText(ctx, script, shell, c) ?? removeStatement(ctx, script, c)].filter(
                    (f): f is Fix => !!f,
                  );
            const what = name === 'exec' ? `\`exec ${c.args[1]?.raw ?? ''}\` replaces` : `\`${name}\` ends`;
            const where = c.context.functionName
              ? ` (in function ${c.context.functionName}, called at the top level)`
              : '';
            ctx.report({
              ...script.rangeToFile(c.name.start, c.stmtEnd),
              message:
                `${what} the stage-1 init script (PID 1)${where}: ${def.path.join('.')} is ${hookOf(def)}. ` +
                'The EXIT trap runs fail() and then init dies: kernel panic, or a remote machine stuck at the console.' +
                stageNote(ctx),
              fixes,
            });
          }
        }
      }
    }
  },
};
