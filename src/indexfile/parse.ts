// Reads an index file (YAML or JSON) into a validated IndexFile with a line lookup.
// STUB: signatures fixed; the implementation comes with the foundation work.
import type { Finding, LoadedIndexFile } from '../model.js'

export interface ParseOutcome {
  /** The validated file, when it parsed and met contract B. */
  loaded?: LoadedIndexFile
  /** `file-invalid` findings, each with file and line where known. Empty when `loaded` is set. */
  findings: Finding[]
}

/**
 * Parses one index file. `path` is the workspace-relative path used in findings; `text` its content.
 * `fallbackObjectId` names the object in findings when the file has no readable `customObjectId`.
 */
export function parseIndexFile(path: string, text: string, fallbackObjectId = ''): ParseOutcome {
  void path
  void text
  void fallbackObjectId
  throw new Error('not implemented')
}
