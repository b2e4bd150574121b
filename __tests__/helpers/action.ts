// Test helpers for end-to-end runs: the runner stand-in and throwaway workspaces.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export {
  BUNDLE,
  ROOT,
  parseOutputFile,
  runAction,
  type ActionOptions,
  type ActionRun
} from '../../src/emulator/runner.js'

/** A fresh workspace folder with the given files. */
export function makeWorkspace(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-ws-'))
  for (const [name, text] of Object.entries(files)) {
    const full = path.join(dir, name)
    mkdirSync(path.dirname(full), { recursive: true })
    writeFileSync(full, text)
  }
  return {
    dir,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
