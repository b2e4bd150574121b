// Bringing reports together (pure): which runs may have made them, what a fork's run is believed for, which
// objects were expected, which modes are published; and the inputs and event facts those rules read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readRunContext } from '../../src/event.js'
import { blankResult, type ObjectResult } from '../../src/model.js'
import {
  publish,
  bringTogether,
  NO_REPORT,
  PublishError,
  reportTrust,
  type NamedReport
} from '../../src/pipeline/publish.js'
import { reportFileName, type ReportFile } from '../../src/report/file.js'
import { readSettings } from '../../src/settings.js'

const HEAD = 'a'.repeat(40)
const HASH = 'b'.repeat(64)

function live(id: string): ObjectResult {
  return {
    ...blankResult(id, `indexes/${id}.yaml`, 'validate'),
    live: true,
    payloadHash: HASH,
    basedOnVersion: 7,
    schemaVersion: 7,
    baselineProbes: [
      { index: 'idx', values: {}, indexUsed: true, strategy: 'index', latencyMs: 1, recordsExamined: 1 }
    ]
  }
}

function report(
  name: string,
  runId: string,
  objects: ObjectResult[],
  mode: ReportFile['mode'] = 'validate'
): NamedReport {
  return {
    name,
    file: {
      version: 1,
      mode,
      commentKey: 'default',
      repository: 'acme/indexes',
      pullRequest: 7,
      headSha: HEAD,
      runId,
      objects
    }
  }
}

const TRUST = { runId: '777', triggeringRun: { id: '100', fork: false } }

describe('which runs a report may come from', () => {
  it.each([
    ['this run (a matrix of the same workflow run)', '777', true],
    ['the triggering run', '100', true],
    ['another run', '555', false],
    ['no run at all', '', false]
  ])('%s', (_, runId, taken) => {
    const go = (): ObjectResult[] => bringTogether([report('r.json', runId, [live('o1')])], TRUST)
    if (taken) expect(go()).toHaveLength(1)
    else expect(go).toThrow(PublishError)
  })

  it('takes only this run outside workflow_run', () => {
    expect(() => bringTogether([report('r.json', '100', [live('o1')])], { runId: '777' })).toThrow(
      'not by this run or the run that triggered it (777)'
    )
  })
})

describe("a fork's run", () => {
  const fork = { runId: '777', triggeringRun: { id: '100', fork: true } }

  it('is believed for its file checks only: live claims and probe plans dropped', () => {
    const [r] = bringTogether([report('r.json', '100', [live('o1')])], fork)
    expect(r).toMatchObject({ live: false, attested: 'file-checks-only', probes: [], baselineProbes: [] })
    expect(r).not.toHaveProperty('payloadHash')
    expect(r).not.toHaveProperty('basedOnVersion')
    expect(r).not.toHaveProperty('schemaVersion')
  })

  it("does not touch this run's own reports", () => {
    const [own] = bringTogether([report('r.json', '777', [live('o1')])], fork)
    expect(own).toMatchObject({ live: true, payloadHash: HASH })
  })

  it.each([
    ['another repository', 'forker/indexes', true],
    ['this repository', 'acme/indexes', false],
    ['an event that names none', '', true]
  ])('is a fork when the head repository is %s', (_, headRepository, isFork) => {
    const trust = reportTrust({
      repository: { owner: 'acme', repo: 'indexes' },
      workflowRun: { id: '100', headSha: HEAD, pullRequests: [], headRepository },
      source: { runId: '777' }
    })
    expect(trust.triggeringRun).toEqual({ id: '100', fork: isFork })
  })
})

describe('expected objects', () => {
  it('adds an expected object without a report as one that failed, saying why', () => {
    const results = bringTogether([report('r.json', '777', [live('o1')])], {
      ...TRUST,
      expectedObjects: ['o1', 'o2']
    })
    expect(results.map(r => [r.customObjectId, r.error, r.attested])).toEqual([
      ['o1', undefined, undefined],
      ['o2', NO_REPORT, 'no-report']
    ])
  })

  it('names every expected object when no report came at all', async () => {
    const workspace = mkdtempSync(path.join(os.tmpdir(), 'coi-publish-'))
    try {
      await expect(
        publish(
          { reportFiles: 'reports/*.json', workspace, expectedObjects: ['o1', 'o2'] },
          { event: { name: 'workflow_run', ref: '' }, headSha: HEAD, source: { runId: '777' } } as never,
          () => Promise.resolve(HEAD)
        )
      ).rejects.toThrow('No report for o1, o2: their jobs failed or were cancelled. Nothing was published.')
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })

  it('refuses a report for an object not expected, naming the file and the object', () => {
    expect(() =>
      bringTogether([report('r.json', '777', [live('o1'), live('o9')])], {
        ...TRUST,
        expectedObjects: ['o1']
      })
    ).toThrow(`Report file r.json holds object "o9", which is not in 'expected-objects'`)
  })
})

describe('modes', () => {
  it('refuses every report that is not a validate report, naming each file and its mode', () => {
    expect(() =>
      bringTogether(
        [
          report('a.json', '777', [live('o1')]),
          report('b.json', '777', [], 'deploy'),
          report('c.json', '777', [], 'drift')
        ],
        TRUST
      )
    ).toThrow('Report files b.json (deploy), c.json (drift) are not validate reports')
  })
})

describe('the report file name', () => {
  const source = { runId: '777', runAttempt: '1' }
  it('differs between jobs of one run holding different objects', () => {
    expect(reportFileName('default', source, [live('o1')])).not.toBe(
      reportFileName('default', source, [live('o2')])
    )
  })
  it('carries the comment key, the run id and attempt, and a short hash of the objects', () => {
    expect(reportFileName('matrix', { runId: '777', runAttempt: '3' }, [live('o1')])).toMatch(
      /^custom-object-index-matrix-777-3-[0-9a-f]{12}\.json$/
    )
  })
  it('does not depend on the order of the objects', () => {
    expect(reportFileName('default', source, [live('o1'), live('o2')])).toBe(
      reportFileName('default', source, [live('o2'), live('o1')])
    )
  })
})

describe('the expected-objects input', () => {
  const read = (value: string) =>
    readSettings(
      n => ({ 'report-files': 'r/*.json', mode: 'publish', 'expected-objects': value })[n] ?? '',
      { name: 'workflow_run', ref: '' },
      '/ws'
    )

  it('reads a JSON array of object ids, each once', () => {
    expect(read('["o1","o2","o1"]').expectedObjects).toEqual(['o1', 'o2'])
  })
  it('is no list when empty', () => {
    expect(read('').expectedObjects).toBeUndefined()
  })
  it.each(['o1', '{"o1":1}', '["a b"]', '[1]'])('names the input when the value is %j', value => {
    expect(() => read(value)).toThrow("Input 'expected-objects' must be a JSON array of custom object ids")
  })
})

describe('the workflow_run event', () => {
  it("reads the triggering run's id and head repository", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coi-event-'))
    const file = path.join(dir, 'event.json')
    writeFileSync(
      file,
      JSON.stringify({
        workflow_run: { id: 123, head_sha: HEAD, head_repository: { full_name: 'forker/indexes' } }
      })
    )
    const ctx = readRunContext({
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_EVENT_PATH: file,
      GITHUB_REPOSITORY: 'acme/indexes'
    })
    expect(ctx.workflowRun).toEqual({
      id: '123',
      headSha: HEAD,
      pullRequests: [],
      headRepository: 'forker/indexes'
    })
    rmSync(dir, { recursive: true, force: true })
  })
})
