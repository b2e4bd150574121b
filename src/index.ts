// The action's entry: runs the action. Everything lives in main.ts.
import { run } from './main.js'

await run()
