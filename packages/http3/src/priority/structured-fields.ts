// RFC 8941 §4.2 parsing of a Structured Field Dictionary, the syntax of the Priority header field and of the
// PRIORITY_UPDATE Priority Field Value (RFC 9218 §4). Only parsing: the values we send are written by hand.

/** An RFC 8941 §3.3 bare item. */
export type SfBareItem =
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'decimal'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'token'; readonly value: string }
  | { readonly type: 'bytes'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean };

/** Parameters of an item (RFC 8941 §3.1.2), in order; later duplicates overwrite earlier ones. */
export type SfParameters = Map<string, SfBareItem>;

/** A dictionary member value: an item or an inner list (RFC 8941 §3.2). */
export type SfMember =
  | { readonly kind: 'item'; readonly item: SfBareItem; readonly params: SfParameters }
  | {
      readonly kind: 'inner-list';
      readonly items: readonly { readonly item: SfBareItem; readonly params: SfParameters }[];
      readonly params: SfParameters;
    };

/** Thrown internally on a syntax error; `parseSfDictionary` turns it into `undefined`. */
class SfSyntaxError extends Error {}

function isLcAlpha(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || isLcAlpha(c);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
/** RFC 9110 §5.6.2 tchar. */
function isTchar(c: number): boolean {
  if (isAlpha(c) || isDigit(c)) return true;
  switch (c) {
    case 0x21: // !
    case 0x23: // #
    case 0x24: // $
    case 0x25: // %
    case 0x26: // &
    case 0x27: // '
    case 0x2a: // *
    case 0x2b: // +
    case 0x2d: // -
    case 0x2e: // .
    case 0x5e: // ^
    case 0x5f: // _
    case 0x60: // `
    case 0x7c: // |
    case 0x7e: // ~
      return true;
    default:
      return false;
  }
}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): number {
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }
  skipSp(): void {
    while (this.peek() === 0x20) this.pos++;
  }
  skipOws(): void {
    for (let c = this.peek(); c === 0x20 || c === 0x09; c = this.peek()) this.pos++;
  }

  /** §4.2.3.3 */
  key(): string {
    const c = this.peek();
    if (!isLcAlpha(c) && c !== 0x2a) throw new SfSyntaxError('key');
    const start = this.pos++;
    for (;;) {
      const d = this.peek();
      if (isLcAlpha(d) || isDigit(d) || d === 0x5f || d === 0x2d || d === 0x2e || d === 0x2a) this.pos++;
      else break;
    }
    return this.s.slice(start, this.pos);
  }

  /** §4.2.3.2 */
  parameters(): SfParameters {
    const params: SfParameters = new Map();
    while (this.peek() === 0x3b) {
      this.pos++;
      this.skipSp();
      const k = this.key();
      let v: SfBareItem = TRUE;
      if (this.peek() === 0x3d) {
        this.pos++;
        v = this.bareItem();
      }
      params.set(k, v);
    }
    return params;
  }

  /** §4.2.3.1 */
  bareItem(): SfBareItem {
    const c = this.peek();
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === 0x22) return this.string();
    if (c === 0x2a || isAlpha(c)) return this.token();
    if (c === 0x3a) return this.bytes();
    if (c === 0x3f) return this.boolean();
    throw new SfSyntaxError('bare item');
  }

  /** §4.2.4 */
  number(): SfBareItem {
    let sign = 1;
    if (this.peek() === 0x2d) {
      sign = -1;
      this.pos++;
    }
    if (!isDigit(this.peek())) throw new SfSyntaxError('number');
    const start = this.pos;
    let decimal = false;
    let dot = -1;
    for (;;) {
      const c = this.peek();
      if (isDigit(c)) {
        this.pos++;
      } else if (c === 0x2e && !decimal) {
        if (this.pos - start > 12) throw new SfSyntaxError('decimal integer part');
        decimal = true;
        dot = this.pos;
        this.pos++;
      } else {
        break;
      }
      const len = this.pos - start;
      if ((!decimal && len > 15) || (decimal && len > 16)) throw new SfSyntaxError('number too long');
    }
    const text = this.s.slice(start, this.pos);
    if (!decimal) return { type: 'integer', value: sign * Number.parseInt(text, 10) };
    const frac = this.pos - dot - 1;
    if (frac < 1 || frac > 3) throw new SfSyntaxError('decimal fraction');
    return { type: 'decimal', value: sign * Number.parseFloat(text) };
  }

  /** §4.2.5 */
  string(): SfBareItem {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.done) throw new SfSyntaxError('unterminated string');
      const c = this.s.charCodeAt(this.pos++);
      if (c === 0x5c) {
        if (this.done) throw new SfSyntaxError('escape');
        const d = this.s.charCodeAt(this.pos++);
        if (d !== 0x22 && d !== 0x5c) throw new SfSyntaxError('escape');
        out += String.fromCharCode(d);
      } else if (c === 0x22) {
        return { type: 'string', value: out };
      } else if (c < 0x20 || c > 0x7e) {
        throw new SfSyntaxError('string character');
      } else {
        out += String.fromCharCode(c);
      }
    }
  }

  /** §4.2.6 */
  token(): SfBareItem {
    const start = this.pos++;
    for (let c = this.peek(); isTchar(c) || c === 0x3a || c === 0x2f; c = this.peek()) this.pos++;
    return { type: 'token', value: this.s.slice(start, this.pos) };
  }

  /** §4.2.7 */
  bytes(): SfBareItem {
    this.pos++;
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === -1) throw new SfSyntaxError('unterminated byte sequence');
      if (c === 0x3a) break;
      if (!(isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2f || c === 0x3d)) throw new SfSyntaxError('base64');
      this.pos++;
    }
    const value = this.s.slice(start, this.pos);
    this.pos++;
    return { type: 'bytes', value };
  }

  /** §4.2.8 */
  boolean(): SfBareItem {
    this.pos++;
    const c = this.peek();
    if (c === 0x31) {
      this.pos++;
      return TRUE;
    }
    if (c === 0x30) {
      this.pos++;
      return FALSE;
    }
    throw new SfSyntaxError('boolean');
  }

  /** §4.2.1.1 */
  member(): SfMember {
    if (this.peek() !== 0x28) {
      const item = this.bareItem();
      return { kind: 'item', item, params: this.parameters() };
    }
    // §4.2.1.2 inner list
    this.pos++;
    const items: { item: SfBareItem; params: SfParameters }[] = [];
    for (;;) {
      this.skipSp();
      if (this.done) throw new SfSyntaxError('unterminated inner list');
      if (this.peek() === 0x29) {
        this.pos++;
        return { kind: 'inner-list', items, params: this.parameters() };
      }
      const item = this.bareItem();
      items.push({ item, params: this.parameters() });
      const c = this.peek();
      if (c !== 0x20 && c !== 0x29) throw new SfSyntaxError('inner list separator');
    }
  }
}

const TRUE: SfBareItem = Object.freeze({ type: 'boolean', value: true });
const FALSE: SfBareItem = Object.freeze({ type: 'boolean', value: false });

/**
 * Parses `value` as an RFC 8941 Dictionary (§4.2, §4.2.2). Returns `undefined` when it does not parse (the field
 * is then ignored, §4.2). Later duplicate keys overwrite earlier ones (§4.2.2).
 */
export function parseSfDictionary(value: string): Map<string, SfMember> | undefined {
  const p = new Parser(value);
  const dict = new Map<string, SfMember>();
  try {
    p.skipSp();
    while (!p.done) {
      const key = p.key();
      let member: SfMember;
      if (p.peek() === 0x3d) {
        p.pos++;
        member = p.member();
      } else {
        member = { kind: 'item', item: TRUE, params: p.parameters() };
      }
      dict.set(key, member);
      p.skipOws();
      if (p.done) break;
      if (p.peek() !== 0x2c) throw new SfSyntaxError('member separator');
      p.pos++;
      p.skipOws();
      if (p.done) throw new SfSyntaxError('trailing comma');
    }
    // §4.2: trailing SP was consumed by skipOws; anything else left would have failed above
    return dict;
  } catch (e) {
    if (e instanceof SfSyntaxError) return undefined;
    throw e;
  }
}
