// Child process for the decompression-bomb tests: opens one image, then writes what happened
// (error message, time, peak RSS, process warnings) as JSON to the file named last.
//   node --import tsx bombChild.ts open IMAGE CACHE_DIR OPTIONS_JSON RESULT_FILE
//   node --import tsx bombChild.ts cli RESULT_FILE -- ARGV...      (the real CLI, default limits)
import * as fs from 'node:fs';
import { openArchive } from '../../server/src/initrd/archive';
import { runCli, processIO } from '../../server/src/cli/main';

const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

const [mode, ...rest] = process.argv.slice(2);
const started = Date.now();
let error: string | undefined;
let errorName: string | undefined;
let resultFile: string;
let code: number | undefined;
if (mode === 'open') {
  const [image, cacheDir, options, out] = rest as [string, string, string, string];
  resultFile = out;
  try {
    await openArchive(image, { cacheDir, ...(JSON.parse(options) as object) });
  } catch (e) {
    error = (e as Error).message;
    errorName = (e as Error).constructor.name;
  }
} else {
  resultFile = rest[0]!;
  code = await runCli(rest.slice(2), processIO());
}
fs.writeFileSync(
  resultFile,
  JSON.stringify({
    error,
    errorName,
    code,
    ms: Date.now() - started,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    warnings,
  }),
);
