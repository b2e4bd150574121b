// run(): settings, mode, pipeline, outputs. The one place that calls setFailed.
import * as core from '@actions/core'

export async function run(): Promise<void> {
  try {
    await Promise.resolve()
    core.info('custom-object-index: not yet wired')
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
