// npm run bench: every figure the project measures, printed as one table. Figures, not assertions.
// `npm run bench -- --quick` skips the slow cases (the 60 s rebuild); `--only scale` runs the sections whose
// title holds the word.
import os from 'node:os'
import type { BenchRow } from './types.js'

const quick = process.argv.includes('--quick')
/** `--only <words>`: the sections whose title contains them (case-insensitive). */
const onlyAt = process.argv.indexOf('--only')
const only = onlyAt === -1 ? undefined : (process.argv[onlyAt + 1] ?? '').toLowerCase()
const allSections: [string, () => Promise<BenchRow[]>][] = [
  ['Cold start', async () => (await import('./coldstart.js')).benchColdStart()],
  ['Validation scaling', async () => (await import('./core.js')).benchCore()],
  ['Emulator', async () => (await import('./emulator.js')).benchEmulator()],
  ['Deploy and fan-out', async () => (await import('./deploy.js')).benchDeploy({ quick })],
  ['Publish and drift', async () => (await import('./modes.js')).benchModes({ quick })],
  ['Scale with the repository', async () => (await import('./scale.js')).benchScale({ quick })]
]

const sections = allSections.filter(([title]) => only === undefined || title.toLowerCase().includes(only))
console.log(
  `# Benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`
)
let failed = false
for (const [title, bench] of sections) {
  console.log(`\n## ${title}\n`)
  console.log('| figure | value | unit | note |')
  console.log('| --- | ---: | --- | --- |')
  try {
    for (const r of await bench()) console.log(`| ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`)
  } catch (error) {
    failed = true
    console.log(`| failed | | | ${error instanceof Error ? error.message : String(error)} |`)
  }
}
process.exit(failed ? 1 : 0)
