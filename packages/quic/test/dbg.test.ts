import { it } from 'vitest';
import { SimPair } from './support/sim.js';
import { testTls } from './support/tls.js';
it('heap', async () => {
  const tls = await testTls();
  const sims: SimPair[] = [];
  for (let i = 0; i < 5; i++) { const s = await SimPair.create(tls); await s.handshake(); sims.push(s); }
  (globalThis as any).gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 200; i++) { const s = await SimPair.create(tls); await s.handshake(); await s.run(() => false, 200); sims.push(s); }
  (globalThis as any).gc?.();
  const after = process.memoryUsage().heapUsed;
  console.log('per pair (client+server+network+pools)', ((after - before) / 200 / 1024).toFixed(1), 'KB');
}, 120_000);
