// One object through the pipeline: index file → live schema → merged plan → findings →
// (deploy → rebuild → probe → audit). Never throws: a fatal problem lands in `ObjectResult.error`.
// STUB: signature fixed; the implementation comes with the platform work.
import type { LoadedIndexFile, Mode, ObjectResult } from '../model.js'
import type { Logger } from '../log.js'

export interface ObjectJob {
  loaded: LoadedIndexFile
  /** Resolved from the file or the `custom-object-id` input (mismatch already reported by the caller). */
  customObjectId: string
  mode: Mode
}

export interface PipelineContext {
  log: Logger
  /** Absent: no credentials, run the file-only checks. */
  live?: unknown
}

export function processObject(ctx: PipelineContext, job: ObjectJob): Promise<ObjectResult> {
  void ctx
  void job
  throw new Error('not implemented')
}
