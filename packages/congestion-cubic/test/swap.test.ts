// The one-line swap: whichever register call runs last decides the controller every connection gets.
import { registerNewReno } from '@fos/congestion-newreno';
import { CongestionControllerFactory, createContainer, resolve } from '@fos/core';
import { describe, expect, it } from 'vitest';
import { registerCubic } from '../src/index.js';

const options = { maxDatagramSizeBytes: 1200, nowMs: 0 };

describe('swapping congestion controllers through the CongestionControllerFactory token', () => {
  it('registerCubic ↔ registerNewReno', () => {
    const a = createContainer();
    registerCubic(a);
    expect(resolve(a, CongestionControllerFactory).create(options).name).toBe('cubic');
    registerNewReno(a);
    expect(resolve(a, CongestionControllerFactory).create(options).name).toBe('newreno');

    const b = createContainer();
    registerNewReno(b);
    registerCubic(b);
    expect(resolve(b, CongestionControllerFactory).create(options).name).toBe('cubic');
  });

  it('child containers override their parent without touching it', () => {
    const root = createContainer();
    registerCubic(root);
    const child = createContainer(root);
    registerNewReno(child);
    expect(resolve(child, CongestionControllerFactory).name).toBe('newreno');
    expect(resolve(root, CongestionControllerFactory).name).toBe('cubic');
  });
});
