// One place that starts what a test needs (the emulator, the GitHub and warehouse stand-ins, workspaces) and
// closes it afterwards, instead of a list of closers and an afterEach/afterAll in every file.
//
//   const servers = useServers()        // closes after each test: every test starts its own
//   const shared = useServers('file')   // closes after the file's last test: started once, in beforeAll
//
//   const emu = await servers.emulator({ ticketCount: 500 })
//   const { url } = await servers.serve((req, res) => res.end('{}')) // a scripted server of the test's own
//   servers.track(() => child.kill())  // anything else that must be closed or removed
//
// Helpers that start a set of these for a test (scene.ts, deploy-rig.ts) take the file's `Servers`, so they
// close with the same hook.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach } from 'vitest'
import {
  startEmulator,
  startGitHubStandIn,
  startWarehouse,
  type EmulatorOptions,
  type GitHubStandIn,
  type RunningEmulator,
  type Warehouse,
  type WarehouseOptions
} from '../../src/emulator/index.js'
import type { GitHubStandInOptions } from '../../src/emulator/github.js'

/** Runs when its scope ends: closes a server, removes a folder, kills a process. */
export type Closer = () => unknown

export interface Servers {
  /** An emulator, closed when the scope ends. */
  emulator(options?: EmulatorOptions): Promise<RunningEmulator>
  /** A GitHub stand-in, closed when the scope ends. */
  github(options?: GitHubStandInOptions): Promise<GitHubStandIn>
  /** A warehouse stand-in, closed when the scope ends. */
  warehouse(options?: WarehouseOptions): Promise<Warehouse>
  /** An HTTP server on 127.0.0.1 (a free port) answering with `handler`; closed, connections and all, when the
   * scope ends or earlier by `close()`. */
  serve(handler: http.RequestListener): Promise<{ url: string; port: number; close: () => Promise<void> }>
  /** A throwaway workspace folder with the given files, removed when the scope ends. */
  workspace(files: Record<string, string>): { dir: string; cleanup: () => void }
  /** Runs `closer` when the scope ends, together with the others. */
  track(closer: Closer): void
}

/**
 * Registers the vitest hook that closes everything started through the returned `Servers`: after each test
 * (`'test'`, the default) or after the file's last test (`'file'`). Call it at the top of a test file (or of a
 * `describe`, to scope it there). Closers run concurrently; the first that fails fails the hook, once all ran.
 * Tests of a `describe.concurrent` share one list of closers: give them `'file'` (a per-test hook would close
 * what the other running tests started), or close per test in a `finally`.
 */
export function useServers(scope: 'test' | 'file' = 'test'): Servers {
  const closers: Closer[] = []
  const closeAll = async (): Promise<void> => {
    const results = await Promise.allSettled(closers.splice(0).map(close => Promise.resolve().then(close)))
    const failed = results.find(r => r.status === 'rejected')
    if (failed) throw failed.reason
  }
  if (scope === 'test') afterEach(closeAll)
  else afterAll(closeAll)

  const tracked = async <T extends { close(): Promise<void> }>(started: Promise<T>): Promise<T> => {
    const server = await started
    closers.push(() => server.close())
    return server
  }
  return {
    emulator: options => tracked(startEmulator(options)),
    github: options => tracked(startGitHubStandIn(options)),
    warehouse: options => tracked(startWarehouse(options)),
    serve: async handler => {
      const server = http.createServer(handler)
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
      const close = (): Promise<void> =>
        new Promise<void>(resolve => {
          server.close(() => {
            resolve()
          })
          server.closeAllConnections()
        })
      closers.push(close)
      const port = (server.address() as AddressInfo).port
      return { url: `http://127.0.0.1:${port}`, port, close }
    },
    workspace: files => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-ws-'))
      for (const [name, text] of Object.entries(files)) {
        const full = path.join(dir, name)
        mkdirSync(path.dirname(full), { recursive: true })
        writeFileSync(full, text)
      }
      const cleanup = (): void => {
        rmSync(dir, { recursive: true, force: true })
      }
      closers.push(cleanup)
      return { dir, cleanup }
    },
    track: closer => {
      closers.push(closer)
    }
  }
}
