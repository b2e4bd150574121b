// A value built on first use, then kept. zod schemas cost time to build, and every one built at import is
// paid by every run's cold start: the schemas a run may never use (a report file read back, a server
// document, a review line) are built by the first call that needs them.
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined
  return () => (built ??= { value: build() }).value
}
