import type { CongestionController, CongestionControllerFactory, CongestionControllerOptions } from '@fos/core';
import { CubicController, type CubicOptions } from './cubic.js';

/** Creates one CUBIC controller (RFC 9438, with HyStart++ per RFC 9406) per connection path. */
export class CubicFactory implements CongestionControllerFactory {
  readonly name = 'cubic';

  constructor(private readonly tuning: CubicOptions = {}) {}

  create(options: CongestionControllerOptions): CongestionController {
    return new CubicController(options, this.tuning);
  }
}
