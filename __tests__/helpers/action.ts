// Test helpers for end-to-end runs: the runner stand-in and throwaway workspaces.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ActionOptions } from '../../src/emulator/runner.js'

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

/** The event of a push to the default branch: `mode: auto` deploys. */
export const PUSH_TO_MAIN: Pick<ActionOptions, 'eventName' | 'event'> = {
  eventName: 'push',
  event: { ref: 'refs/heads/main', repository: { default_branch: 'main' } }
}

/** The inputs that point the action at a platform base URL (the emulator's) with an OAuth client. */
export function platformInputs(url: string, clientId: string, clientSecret: string): Record<string, string> {
  return { 'api-url': url, 'login-url': url, 'client-id': clientId, 'client-secret': clientSecret }
}
