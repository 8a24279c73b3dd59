// Entry point of the nixboot language server (dist/server.js): `node dist/server.js --stdio`.
// Each feature module registers its own handlers; this file only wires them.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { Feature, InitOptions, ServerEnv } from './env';

// Feature registry (one line per feature module).
const FEATURES: Feature[] = [
];

const connection = createConnection(ProposedFeatures.all);
let env: ServerEnv | undefined;

connection.onInitialize((params) => {
  const init = (params.initializationOptions ?? {}) as InitOptions;
  env = { connection, cacheDir: init.cacheDir ?? join(tmpdir(), `nixboot-cache-${process.getuid?.() ?? 'user'}`) };
  for (const feature of FEATURES) feature(env);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
    },
    serverInfo: { name: 'nixboot', version: '0.1.0' },
  };
});

connection.listen();
