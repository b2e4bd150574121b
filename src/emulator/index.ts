// The embedded Data Gateway emulator and its GitHub and warehouse stand-ins (not part of the action's bundle).
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js'
export type { RebuildControls, RebuildTarget } from './database.js'
export { SAMPLE_IDS, sampleData } from './sample.js'
export { DEFAULT_CLIENT, FAULT_KINDS } from './types.js'
export type {
  EmulatorClient,
  EmulatorConfig,
  EmulatorData,
  EmulatorObject,
  EmulatorRecord,
  FaultKind,
  FaultSpec,
  RequestLogEntry
} from './types.js'
export { startGitHubStandIn, type GitHubStandIn, type StoredComment } from './github.js'
export {
  startWarehouse,
  type Delivery,
  type Warehouse,
  type WarehouseFailure,
  type WarehouseOptions,
  type WarehouseRedirect
} from './warehouse.js'
