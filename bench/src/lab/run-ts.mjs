// Runs a TypeScript entry of the monorepo from source (no build): `node bench/src/lab/run-ts.mjs <file.ts> [args…]`.
// It loads the module through Vite's SSR module loader — the same transform and `source` export condition vitest
// uses — and calls its exported `main(args)`. Node 20 cannot run .ts files itself.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createViteServer } from 'vitest/node';

const CONDITIONS = ['source', 'module', 'node', 'development|production'];
const [entry, ...args] = process.argv.slice(2);
if (entry === undefined) {
  process.stderr.write('usage: node run-ts.mjs <entry.ts> [args…]\n');
  process.exit(2);
}
const root = fileURLToPath(new URL('../../..', import.meta.url));
const server = await createViteServer({
  root,
  configFile: false,
  logLevel: 'error',
  appType: 'custom',
  server: { middlewareMode: true, hmr: false, ws: false, watch: null },
  optimizeDeps: { noDiscovery: true, include: [] },
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { conditions: CONDITIONS },
  ssr: { resolve: { conditions: CONDITIONS } },
});
let code = 0;
try {
  const mod = await server.ssrLoadModule(resolve(process.cwd(), entry));
  if (typeof mod.main !== 'function') throw new Error(`${entry} exports no main(args) function`);
  code = (await mod.main(args)) ?? 0;
} catch (e) {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  code = 1;
} finally {
  await server.close();
}
process.exit(code);
