import { defineProject, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.ts';

// The baseline benchmark (`npm run bench:interop`): a test file that only measures and reports. Kept out of the
// `interop` test project (whose include is src/ and test/) so `npm test` never runs 100 MB transfers.
const config = mergeConfig(
  sharedConfig,
  defineProject({
    test: { name: 'interop-bench', fileParallelism: false, testTimeout: 600_000, hookTimeout: 120_000 },
  }),
);
// mergeConfig concatenates arrays: replace the shared include list instead.
config.test = { ...config.test, include: ['bench/**/*.report.ts'] };
export default config;
