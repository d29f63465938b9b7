/**
 * Run constants that are not messages (the messages are in table.ts).
 */

/**
 * The pseudo-terminal of a terminal run: one size for everyone who watches it,
 * so every page shows the program's screen as the program drew it.
 */
export const TERMINAL_SIZE = { cols: 100, rows: 30 } as const;
