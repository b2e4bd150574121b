// The logging surface every stage writes to. main.ts hands in one over @actions/core; tests a silent one.

export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
  /** A notice (shown in the run's annotations, under `title` when given); loggers without one log it as info. */
  notice?(message: string, title?: string): void
}

/** A logger that drops everything (tests, benches). */
export const silentLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined
}
