// Rule file-not-analysed: one finding for a `.nix` file that nixboot does not analyse — it is not
// Nix text (encrypted, binary, JSON, another language), or it is over the size limit.
import type { Rule } from './types';

export const rule: Rule = {
  id: 'file-not-analysed',
  severity: 'info',
  title: 'File not analysed',
  docs: {
    summary:
      'A `.nix` file that is not Nix text (encrypted, binary, JSON, another language) or is larger than the size limit: nixboot says so once and does not analyse it.',
    why:
      'Repositories hold files named `.nix` that are not Nix: secrets encrypted with git-crypt (they start with ' +
      '`\\0GITCRYPT\\0` until the repository is unlocked), agenix/age or sops, binary files, JSON, DNS zone files or ' +
      'window-manager configs. Read as Nix, each gives a syntax error per line or per byte — thousands for one file — ' +
      'and none of them helps. Such a file gets this one finding instead, saying what the file is, and nothing else. ' +
      'Text is called "not Nix" only when it does not begin like a Nix expression (`$ORIGIN …`, `@ IN SOA …`) or when ' +
      'characters Nix cannot read outside strings and comments are on a quarter or more of its lines (`set $mod Mod4`); ' +
      'a Nix file with mistakes (a missing `;`, an extra `}`, a merge conflict) keeps its syntax errors, and the ' +
      "finding quotes Nix's first syntax error in case the file is meant to be Nix. Files over the size limit " +
      '(`nixboot.lint.maxFileSizeMiB`, default 2 MiB; `nixboot lint --max-file-size MIB`) are not read as Nix either: ' +
      'analysis takes about a second and 100 MB of memory per MiB of Nix, and a NixOS configuration file is far smaller.',
    bad: '# a git-crypt-encrypted hosts/secrets.nix: binary data after a "\\0GITCRYPT\\0" header',
    good: '# the same file after `git-crypt unlock`: plain Nix, analysed as usual\n{ users.users.root.hashedPassword = "…"; }',
    fix:
      'Nothing is wrong with an encrypted file: unlock the repository (`git-crypt unlock`) to lint it, or turn this ' +
      'rule off (`nixboot.rules`: `"file-not-analysed": "off"`, `nixboot lint --rule file-not-analysed=off`). Rename a ' +
      'file that is not Nix so that it does not end in `.nix`. For a large generated file, raise `nixboot.lint.maxFileSizeMiB` ' +
      'if you want it analysed.',
    references: [
      'git-crypt README (file header `\\0GITCRYPT\\0`)',
      'age-encryption.org/v1 (age file format)',
      'sops (values `ENC[AES256_GCM,…]`)',
    ],
  },
  check(ctx) {
    const why = ctx.file.notAnalysed;
    if (!why) return;
    // The first line (at most 80 characters) carries the finding.
    const nl = ctx.file.text.indexOf('\n');
    const end = Math.min(nl < 0 ? ctx.file.text.length : nl, 80);
    ctx.report({ start: 0, end, message: `Not analysed: ${why}` });
  },
};
