// `npm run bench`: runs each area benchmark and writes bench/RESULTS.md.
// Usage: npm run bench [-- AREA ...]   (areas: the module names below)
import { writeFileSync } from "node:fs";
import * as lint from "./lint";
import * as catalogue from "./catalogue";
import * as syntax from "./syntax";
import * as nar from "./nar";

const AREAS: Record<string, { run(): Promise<string> }> = {
  lint,
  catalogue,
  syntax,
  nar,
};

const wanted = process.argv.slice(2);
const sections: string[] = [];
for (const [name, area] of Object.entries(AREAS)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  sections.push(await area.run());
}
const header = [
  "# Benchmark results",
  "",
  `Machine: ${(await import("node:os")).cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  "Produced by `npm run bench` (each section names its own command).",
  "",
].join("\n");
const out = `${header}\n${sections.join("\n\n")}\n`;
if (wanted.length === 0) writeFileSync(new URL("./RESULTS.md", import.meta.url), out);
process.stdout.write(out);
