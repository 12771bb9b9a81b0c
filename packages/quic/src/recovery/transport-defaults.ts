// Transport parameter defaults recovery depends on (RFC 9000 §18.2).

/** RFC 9000 §18.2: max_ack_delay default, 25 ms. */
export const DEFAULT_MAX_ACK_DELAY_MS = 25;
/** RFC 9000 §18.2: ack_delay_exponent default, 3. */
export const DEFAULT_ACK_DELAY_EXPONENT = 3;
