// Vitest global set-up: rebuilds dist/ when a source file is newer than the bundle, so end-to-end tests
// (which run dist/index.js as GitHub does) never run a stale bundle.
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs)
  }
  return latest
}

export default function setup(): void {
  const bundle = path.join(ROOT, 'dist', 'index.js')
  let built = 0
  try {
    built = statSync(bundle).mtimeMs
  } catch {
    // No bundle yet: build it.
  }
  const sources = Math.max(newest(path.join(ROOT, 'src')), statSync(path.join(ROOT, 'package.json')).mtimeMs)
  if (built >= sources) return
  process.stdout.write('dist/ is older than src/: rebuilding it (npm run bundle)\n')
  execFileSync('npm', ['run', '-s', 'bundle'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
}
