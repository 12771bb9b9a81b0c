// RFC 9218 §4: the urgency (u) and incremental (i) priority parameters, carried by the Priority header field (§5)
// and the PRIORITY_UPDATE frame (§7.2), both as an RFC 8941 Dictionary.

import { parseSfDictionary } from './structured-fields.js';

/** RFC 9218 §4 priority parameters of one response. */
export interface H3Priority {
  /** 0 (most urgent) to 7 (background). Default 3 (§4.1). */
  readonly urgency: number;
  /** Whether the response can be used incrementally (share bandwidth). Default false (§4.2). */
  readonly incremental: boolean;
}

/** RFC 9218 §4.1 / §4.2 defaults. */
export const DEFAULT_PRIORITY: H3Priority = Object.freeze({ urgency: 3, incremental: false });

/**
 * Parses a Priority field value (RFC 9218 §4, §5). Returns `undefined` when the value is not a valid Dictionary
 * (RFC 8941 §4.2: the field is then ignored). Parameters that are unknown, of the wrong type, or out of range are
 * ignored (§4); absent ones take their defaults.
 */
export function parsePriority(value: string): H3Priority | undefined {
  const dict = parseSfDictionary(value);
  if (dict === undefined) return undefined;
  let urgency = DEFAULT_PRIORITY.urgency;
  let incremental = DEFAULT_PRIORITY.incremental;
  const u = dict.get('u');
  // §4.1: an Integer between 0 and 7 inclusive
  if (u?.kind === 'item' && u.item.type === 'integer' && u.item.value >= 0 && u.item.value <= 7) {
    urgency = u.item.value;
  }
  const i = dict.get('i');
  // §4.2: a Boolean
  if (i?.kind === 'item' && i.item.type === 'boolean') incremental = i.item.value;
  if (urgency === DEFAULT_PRIORITY.urgency && incremental === DEFAULT_PRIORITY.incremental) return DEFAULT_PRIORITY;
  return { urgency, incremental };
}

/**
 * The priority a request asks for through its `priority` header field lines (RFC 9218 §5): the lines are combined
 * as one comma-separated value (RFC 9110 §5.3). A field that does not parse is ignored: the defaults apply.
 */
export function priorityFromHeaders(headers: readonly (readonly [string, string])[]): H3Priority {
  let combined: string | undefined;
  for (const [name, value] of headers) {
    if (name === 'priority') combined = combined === undefined ? value : `${combined}, ${value}`;
  }
  if (combined === undefined) return DEFAULT_PRIORITY;
  return parsePriority(combined) ?? DEFAULT_PRIORITY;
}

/**
 * Serializes priority parameters as a Dictionary, omitting defaults (RFC 9218 §4: omission means the default):
 * `u=5, i`, `i`, `u=0`, or `` for the defaults.
 */
export function serializePriority(p: H3Priority): string {
  if (!Number.isInteger(p.urgency) || p.urgency < 0 || p.urgency > 7) {
    throw new RangeError(`urgency ${p.urgency} outside 0-7 (RFC 9218 §4.1)`);
  }
  const parts: string[] = [];
  if (p.urgency !== DEFAULT_PRIORITY.urgency) parts.push(`u=${p.urgency}`);
  if (p.incremental) parts.push('i');
  return parts.join(', ');
}
