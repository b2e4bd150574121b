// The one table of what each mode's report says: its title, which sections each object gets, whether it
// tells what a deploy would do or what this run did, and the words of each verdict, for the run and for each
// object. The renderers read this table instead of asking which mode they are in. Pure.
import type { Mode, ObjectResult } from '../model.js'
import { isFailing, verdictOf, warningCount, errorCount, type Verdict } from '../verdict.js'
import { clip, code, escapeText, formatNumber, plural } from './markdown.js'
import { changeSummary, counts, nameList, objectLabel } from './labels.js'

/** The lists under an object's heading, in order. */
export type SectionKind = 'index-changes' | 'drift' | 'findings' | 'probe-plans' | 'probes'

/** What the run's verdict line is made from: the objects' verdicts counted, and their findings. */
export interface Tally {
  objects: number
  errors: number
  warnings: number
  /** Objects of this verdict. */
  count(v: Verdict): number
  /** Objects that failed or that errors block. */
  failing: number
}

/**
 * One object's verdict line after its icon: `(r, label, own) → text`. `own`: whether the line states the
 * object's own error and warning counts (see `objectVerdict`: a count is said once).
 */
type Words = (r: ObjectResult, label: string, own: boolean) => string

export interface ModeView {
  /** The report's title, before the run's verdict. */
  title: string
  /** The lists each object gets, in order (its heading and facts come first, its diff last). */
  sections: readonly SectionKind[]
  /**
   * `proposed`: the report tells what a deploy would do (statuses "built on deploy", today's probe plans);
   * `done`: what this run did (versions, rebuild, audit, probes before and after).
   */
  tense: 'proposed' | 'done'
  /** Whether dropped indexes get the caution banner (drift reports drift, not drops). */
  drops: boolean
  /** Whether an object checked without credentials gets the "file checks only" note. */
  offlineNote: boolean
  /** The run's verdict line. */
  run: (t: Tally) => string
  /** Whether the run's verdict line states the run's error and warning totals. */
  totals: boolean
  /** Verdict lines this mode words its own way; the rest are `OBJECT_WORDS`'. */
  words?: Partial<Record<Verdict, [icon: string, words: Words]>>
}

/** The run verdict of validate, plan and publish: blocked, file checks only, or pass. */
function checkVerdict(t: Tally): string {
  const objects = plural(t.objects, 'object', 'objects')
  const tally = counts(t.errors, t.warnings)
  if (t.failing > 0) return `❌ blocked — ${formatNumber(t.failing)} of ${objects}, ${tally}`
  const offline = t.count('file-checks-only')
  if (offline > 0) {
    const some = offline < t.objects ? ` (${formatNumber(offline)} of ${objects})` : ''
    return `⚠️ file checks only — not compared with the live schema${some}, ${tally}`
  }
  return `✅ pass — ${objects}, ${tally}`
}

/** How a deploy's run verdict counts its objects, in this order. */
const DEPLOY_COUNTS: [Verdict, string][] = [
  ['failed', 'failed'],
  ['rolled-back', 'rolled back'],
  ['unknown', 'outcome unknown'],
  ['blocked', 'blocked'],
  ['deployed', 'deployed'],
  ['unchanged', 'unchanged'],
  ['stale', 'skipped (a newer commit applies them)']
]

function deployVerdict(t: Tally): string {
  const outcomes = DEPLOY_COUNTS.filter(([v]) => t.count(v) > 0)
    .map(([v, word]) => `${formatNumber(t.count(v))} ${word}`)
    .join(', ')
  if (t.failing > 0) {
    // Only writes of unknown outcome: not known to have failed.
    if (t.failing === t.count('unknown')) return `❓ outcome unknown — ${outcomes}`
    return `❌ failed — ${outcomes}`
  }
  if (t.count('deployed') > 0) return `✅ deployed — ${outcomes}`
  if (t.count('stale') > 0) return `⏭️ skipped — ${outcomes}`
  return `✅ unchanged — nothing to deploy (${plural(t.objects, 'object', 'objects')})`
}

function driftVerdict(t: Tally): string {
  const objects = plural(t.objects, 'object', 'objects')
  const drifted = t.count('drift')
  const drift = drifted > 0 ? `, drift in ${formatNumber(drifted)}` : ''
  if (t.failing > 0) return `❌ ${formatNumber(t.failing)} of ${objects} could not be checked${drift}`
  if (drifted > 0) return `⚠️ drift in ${formatNumber(drifted)} of ${objects}`
  return `✅ no drift — ${objects} match their files`
}

const CHECK_SECTIONS: readonly SectionKind[] = ['index-changes', 'findings', 'probe-plans']

const CHECK: Omit<ModeView, 'title'> = {
  sections: CHECK_SECTIONS,
  tense: 'proposed',
  drops: true,
  offlineNote: true,
  run: checkVerdict,
  totals: true
}

export const MODE_VIEWS: Record<Mode, ModeView> = {
  validate: { title: 'Custom-object index check', ...CHECK },
  // Publish shows the reports of validate and plan jobs as one check.
  publish: { title: 'Custom-object index check', ...CHECK },
  plan: { title: 'Custom-object index plan', ...CHECK },
  deploy: {
    title: 'Custom-object index deploy',
    sections: ['index-changes', 'findings', 'probes'],
    tense: 'done',
    drops: true,
    offlineNote: true,
    run: deployVerdict,
    // The run's line counts outcomes; a blocked object's line says how many errors block it.
    totals: false,
    words: {
      blocked: [
        '❌',
        (r: ObjectResult, l: string): string =>
          `${l} — blocked: ${plural(errorCount(r.findings), 'error', 'errors')}`
      ]
    }
  },
  drift: {
    title: 'Custom-object index drift',
    sections: ['drift', 'findings', 'probe-plans'],
    tense: 'proposed',
    drops: false,
    offlineNote: false,
    run: driftVerdict,
    totals: false
  }
}

/** "0 errors, 2 warnings": the object's own. */
function ownCounts(r: ObjectResult): string {
  return counts(errorCount(r.findings), warningCount(r.findings))
}

/** Every verdict's line for one object, unless its mode words it its own way. */
const OBJECT_WORDS: Record<Verdict, [icon: string, words: Words]> = {
  pass: ['✅', (r, l, own) => `${l} — ${changeSummary(r)}${own ? `, ${ownCounts(r)}` : ''}`],
  'file-checks-only': [
    '⚠️',
    (r, l, own) =>
      r.attested === 'file-checks-only'
        ? `${l} — checked by the pull request's own run: file checks only${own ? `, ${ownCounts(r)}` : ''}`
        : `${l} — file checks only, not compared with the live schema${own ? `: ${ownCounts(r)}` : ''}`
  ],
  blocked: [
    '❌',
    (r, l, own) => {
      const errors = errorCount(r.findings)
      const offline = r.live ? '' : ' — file checks only'
      if (!own) return `${l} — ${errors === 1 ? 'its error blocks' : 'its errors block'} the deploy${offline}`
      const blocks = `${plural(errors, 'error blocks', 'errors block')} the deploy`
      return `${l} — ${blocks}, ${plural(warningCount(r.findings), 'warning', 'warnings')}${offline}`
    }
  ],
  failed: [
    '❌',
    (r, l) => {
      if (r.attested === 'no-report') return `${l} — no report (its job failed or was cancelled)`
      if (r.error !== undefined) return `${l} — failed: ${escapeText(clip(r.error, 200))}`
      const reason = r.rebuild.reason !== undefined ? `: ${escapeText(clip(r.rebuild.reason, 200))}` : ''
      return `${l} — deploy failed: rebuild ${r.rebuild.status}${reason}`
    }
  ],
  deployed: [
    '✅',
    (r, l) => {
      const version = r.schemaVersion !== undefined ? ` as schema version ${r.schemaVersion}` : ''
      return `${l} — deployed${version}: ${changeSummary(r)}`
    }
  ],
  unchanged: ['✅', (_r, l) => `${l} — unchanged: the live schema already matches the file`],
  'rolled-back': [
    '❌',
    (r, l) => {
      const dropped = r.rolledBack ?? []
      return `${l} — rolled back: ${nameList(dropped.map(x => x.index))} failed to build and ${dropped.length === 1 ? 'was' : 'were'} dropped`
    }
  ],
  unknown: [
    '❓',
    (_r, l) =>
      `${l} — outcome unknown: the write may have been applied; run drift mode or re-run the deploy to find out`
  ],
  stale: [
    '⏭️',
    (r, l) => {
      if (r.stale === undefined) return `${l} — skipped: a newer commit on the branch changed the file`
      const older = code(r.stale.sha.slice(0, 7))
      const newer = code(r.stale.head.slice(0, 7))
      return `${l} — skipped: commit ${older} is older than the branch head ${newer}, which changed the file; the deploy of ${newer} applies it`
    }
  ],
  drift: [
    '⚠️',
    (r, l) => {
      const d = r.drift
      const kinds = d
        ? (['missing', 'changed', 'failed'] as const)
            .filter(k => d[k].length > 0)
            .map(k => `${formatNumber(d[k].length)} ${k}`)
        : []
      return `${l} — drift: ${kinds.join(', ') || 'unmanaged indexes (prune)'}`
    }
  ],
  'no-drift': ['✅', (_r, l) => `${l} — no drift`]
}

/** The run's verdict, read first: pass, blocked, file checks only; deployed, failed; drift. */
export function runVerdict(results: readonly ObjectResult[], mode: Mode): string {
  if (results.length === 0) return 'ℹ️ no index files were checked'
  const verdicts = results.map(verdictOf)
  const findings = results.flatMap(r => r.findings)
  return MODE_VIEWS[mode].run({
    objects: results.length,
    errors: errorCount(findings),
    warnings: warningCount(findings),
    count: v => verdicts.filter(x => x === v).length,
    failing: verdicts.filter(isFailing).length
  })
}

function wordsOf(r: ObjectResult): [icon: string, words: Words] {
  const v = verdictOf(r)
  return MODE_VIEWS[r.mode].words?.[v] ?? OBJECT_WORDS[v]
}

/**
 * One object's verdict line, e.g. `✅ Ticket (…) — 1 index added, 0 errors, 2 warnings`.
 *
 * A count is said once. The run's heading states the run's totals (errors and warnings, where its mode's
 * `totals` says so); an object's heading states its own counts only when they are not those totals already:
 * when the report has more than one object, or when the run's heading does not count findings (deploy,
 * drift). So a report of one checked object reads `✅ Ticket (…) — 1 index added` under
 * `… check: ✅ pass — 1 object, 0 errors, 2 warnings`.
 */
export function objectVerdict(r: ObjectResult, several = false, runMode: Mode = r.mode): string {
  const [icon, words] = wordsOf(r)
  return `${icon} ${words(r, objectLabel(r), several || !MODE_VIEWS[runMode].totals)}`
}

/** The icon of the object's verdict (its error is quoted under it with the same one). */
export function verdictIcon(r: ObjectResult): string {
  return wordsOf(r)[0]
}

/** Failing objects first, then those with warnings, drift or no live check, then the clean ones. */
export function byAttention(results: readonly ObjectResult[]): ObjectResult[] {
  const rank = (r: ObjectResult): number => {
    const v = verdictOf(r)
    if (isFailing(v)) return 0
    return warningCount(r.findings) > 0 || v === 'drift' || !r.live ? 1 : 2
  }
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i)
    .map(x => x.r)
}
