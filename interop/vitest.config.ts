import { defineProject, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.ts';

// Peers are real processes on real ports: files run one at a time so that transfers do not compete for the CPU.
export default mergeConfig(
  sharedConfig,
  defineProject({ test: { name: 'interop', fileParallelism: false, testTimeout: 120_000, hookTimeout: 60_000 } }),
);
