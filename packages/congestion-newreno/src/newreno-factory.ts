import type { CongestionController, CongestionControllerFactory, CongestionControllerOptions } from '@fos/core';
import { NewRenoController, type NewRenoOptions } from './newreno.js';

/** Creates one NewReno controller (RFC 9002 §7) per connection path. */
export class NewRenoFactory implements CongestionControllerFactory {
  readonly name = 'newreno';

  constructor(private readonly tuning: NewRenoOptions = {}) {}

  create(options: CongestionControllerOptions): CongestionController {
    return new NewRenoController(options, this.tuning);
  }
}
