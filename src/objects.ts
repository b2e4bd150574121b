// From the files the input names to one job per object: parse, resolve each file's object id, and turn
// what cannot run (bad files, id conflicts) into results that carry their findings.
import type { Finding, Mode, ObjectResult } from './model.js'
import { parseIndexFile } from './indexfile/parse.js'
import { blankResult } from './model.js'
import type { ObjectJob } from './pipeline/job.js'
import type { WorkspaceFile } from './workspace.js'

export interface PlannedObjects {
  jobs: ObjectJob[]
  /** Files that cannot run, with their findings. */
  rejected: ObjectResult[]
}

/**
 * Parses every file and resolves its object: the file's `customObjectId`, else the `custom-object-id`
 * input. A disagreement is `object-id-mismatch`; no id at all, or a second file for one object, is
 * `file-invalid`.
 */
export function planObjects(
  files: WorkspaceFile[],
  inputObjectId: string | undefined,
  mode: Mode
): PlannedObjects {
  const jobs: ObjectJob[] = []
  const rejected: ObjectResult[] = []
  const owners = new Map<string, ObjectJob[]>()
  for (const f of files) {
    const reject = (id: string, finding: Omit<Finding, 'customObjectId' | 'severity'>): void => {
      const result = blankResult(id, f.path, mode)
      result.findings.push({ severity: 'error', customObjectId: id, ...finding })
      rejected.push(result)
    }
    if (f.text === undefined) {
      reject(inputObjectId ?? '', {
        rule: 'file-invalid',
        file: f.path,
        message: `${f.path}: ${f.problem ?? 'the file could not be read'}`
      })
      continue
    }
    const parsed = parseIndexFile(f.path, f.text, inputObjectId ?? '')
    if (!parsed.loaded) {
      const result = blankResult(parsed.findings[0]?.customObjectId ?? inputObjectId ?? '', f.path, mode)
      result.findings.push(...parsed.findings)
      rejected.push(result)
      continue
    }
    const loaded = parsed.loaded
    const fileId = loaded.file.customObjectId
    if (fileId !== undefined && inputObjectId !== undefined && fileId !== inputObjectId) {
      reject(fileId, {
        rule: 'object-id-mismatch',
        file: f.path,
        line: loaded.lineOf(['customObjectId']),
        message: `The file names object ${fileId} but the custom-object-id input says ${inputObjectId}: make them agree or drop one.`
      })
      continue
    }
    const id = fileId ?? inputObjectId
    if (id === undefined) {
      reject('', {
        rule: 'file-invalid',
        file: f.path,
        line: 1,
        message:
          'No customObjectId in the file and no custom-object-id input: name the object in one of them.'
      })
      continue
    }
    const claims = owners.get(id) ?? []
    claims.push({ loaded, customObjectId: id, mode })
    owners.set(id, claims)
  }
  // Two files for one object: which one holds the truth is ambiguous, so neither runs.
  for (const [id, claims] of owners) {
    if (claims.length === 1) {
      jobs.push(claims[0]!)
      continue
    }
    const paths = claims.map(c => c.loaded.path)
    for (const c of claims) {
      const result = blankResult(id, c.loaded.path, mode)
      result.findings.push({
        severity: 'error',
        rule: 'file-invalid',
        customObjectId: id,
        file: c.loaded.path,
        line: c.loaded.lineOf(['customObjectId']) ?? 1,
        message: `Object ${id} is managed by ${paths.length} files (${paths.join(', ')}): keep one index file per object.`
      })
      rejected.push(result)
    }
  }
  return { jobs, rejected }
}
