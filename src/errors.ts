// The one way to read a caught value: its message, and its stack for debug logs.

/** The message of anything thrown: an Error's message, else its text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The stack of an Error (for `debug`), else its message. */
export function errorDetail(error: unknown): string {
  return error instanceof Error && error.stack ? error.stack : String(error)
}
