// The GitHub stand-in's check runs, answered as GitHub answers them: created, updated with annotations
// appended, listed by commit and name (the newest of each name by default), and GitHub's refusals.
import { describe, expect, it } from 'vitest'
import { useServers } from '../helpers/servers.js'

const servers = useServers()
const SHA = 'a'.repeat(40)

async function standIn() {
  const gh = await servers.github({ identities: { ghs_other: 'other-app[bot]' } })
  const call = async (method: string, path: string, body?: unknown, token = 'ghs_actions') => {
    const res = await fetch(`${gh.url}/repos/acme/indexes${path}`, {
      method,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const annotation = (i: number) => ({
    path: 'a.yaml',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'warning',
    message: `m${i}`
  })
  return { gh, call, annotation }
}

describe('check runs on the GitHub stand-in', () => {
  it('appends the annotations of each update, as GitHub does', async () => {
    const { gh, call, annotation } = await standIn()
    const created = await call('POST', '/check-runs', {
      name: 'c',
      head_sha: SHA,
      output: { title: 't', summary: 's', annotations: [annotation(0)] }
    })
    expect(created.status).toBe(201)
    const id = created.body.id as number
    const updated = await call('PATCH', `/check-runs/${id}`, {
      conclusion: 'success',
      output: { title: 't', summary: 's', annotations: [annotation(1), annotation(2)] }
    })
    expect(updated.body).toMatchObject({ conclusion: 'success', output: { annotations_count: 3 } })
    expect(gh.checkRuns(SHA)[0]!.annotations.map(a => a.message)).toEqual(['m0', 'm1', 'm2'])
  })

  it('lists the newest check run of each name on a commit, or every one with filter=all', async () => {
    const { call } = await standIn()
    for (const name of ['c', 'c', 'd']) await call('POST', '/check-runs', { name, head_sha: SHA })
    const latest = await call('GET', `/commits/${SHA}/check-runs?check_name=c`)
    expect(latest.body.total_count).toBe(1)
    const all = await call('GET', `/commits/${SHA}/check-runs?filter=all`)
    expect(all.body.total_count).toBe(3)
  })

  it.each([
    [
      'more than 50 annotations',
      {
        name: 'c',
        head_sha: SHA,
        output: {
          title: 't',
          summary: 's',
          annotations: Array(51).fill({
            path: 'a',
            start_line: 1,
            end_line: 1,
            annotation_level: 'warning',
            message: 'm'
          })
        }
      }
    ],
    [
      'a summary over 65,535 characters',
      { name: 'c', head_sha: SHA, output: { title: 't', summary: 'x'.repeat(65_536) } }
    ],
    ['no head_sha', { name: 'c' }]
  ])('refuses %s with a 422', async (_, body) => {
    const { gh, call } = await standIn()
    expect((await call('POST', '/check-runs', body)).status).toBe(422)
    expect(gh.checkRuns()).toEqual([])
  })

  it("refuses an update of another app's check run, and any write of a read-only token", async () => {
    const { gh, call } = await standIn()
    const created = await call('POST', '/check-runs', { name: 'c', head_sha: SHA })
    expect((await call('PATCH', `/check-runs/${created.body.id as number}`, {}, 'ghs_other')).status).toBe(
      403
    )
    gh.setReadOnly(true)
    expect((await call('POST', '/check-runs', { name: 'c', head_sha: SHA })).status).toBe(403)
  })
})
