/** Flags every containment command test passes: the fake's Region, fast polling. */
export const FAST_FLAGS = ['--region', 'us-east-1', '--poll-interval', '0.001'];
