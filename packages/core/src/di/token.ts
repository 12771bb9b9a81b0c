declare const tokenType: unique symbol;

/**
 * A DI token: a unique symbol that carries the type it resolves to.
 * An interface and its token share a name (`export interface Clock {…}; export const Clock = token<Clock>('fos.Clock')`).
 */
export type Token<T> = symbol & { readonly [tokenType]?: T };

/** Declares a typed token. `description` is what tsyringe prints in resolution errors. */
export function token<T>(description: string): Token<T> {
  return Symbol.for(description) as Token<T>;
}
