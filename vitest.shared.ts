import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Settings every vitest project in the monorepo shares:
 * - workspace packages resolve to their `src/` through the `source` export condition (no build needed);
 * - legacy (experimental) decorators for the tsyringe edge adapters;
 * - `reflect-metadata` loaded before any test module imports tsyringe.
 */
export const sharedConfig = defineConfig({
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: { conditions: ['source', 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    benchmark: { include: ['bench/**/*.bench.ts', 'src/**/*.bench.ts'] },
    setupFiles: [fileURLToPath(new URL('./scripts/vitest-setup.ts', import.meta.url))],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
