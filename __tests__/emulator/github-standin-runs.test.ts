// The GitHub stand-in's routes for runs over time, over real sockets: branch heads (`commits/{ref}`), compares
// of registered commits, labels and the label filter on the issue list, and comment edits that GraphQL reports
// with `lastEditedAt` and `editor`.
import { describe, expect, it } from 'vitest'
import { useServers } from '../helpers/servers.js'

const servers = useServers()

const AUTH = { authorization: 'token ghs_test' }
const REPO = '/repos/acme/indexes'
const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)
const D = 'd'.repeat(40)

async function get(url: string): Promise<{ status: number; body: unknown; link: string | null }> {
  const res = await fetch(url, { headers: AUTH })
  return { status: res.status, body: await res.json(), link: res.headers.get('link') }
}

async function send(url: string, method: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method, headers: AUTH, body: JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) }
}

/** A ← B ← C on main (B changed the ticket file, C the account file), D on a side branch from A. */
function history(): Parameters<typeof servers.github>[0] {
  return {
    commits: [
      { sha: A, files: [{ filename: 'indexes/ticket.yaml', status: 'added' }] },
      { sha: B, parent: A, files: [{ filename: 'indexes/ticket.yaml', status: 'modified' }] },
      {
        sha: C,
        parent: B,
        files: [
          { filename: 'indexes/account.yaml', status: 'renamed', previous_filename: 'old/account.yaml' }
        ]
      },
      { sha: D, parent: A, files: [{ filename: 'indexes/other.yaml', status: 'added' }] }
    ],
    branches: { main: C }
  }
}

describe('GitHub stand-in: branch heads and compares', () => {
  it("answers a branch's head commit, and follows setBranchHead", async () => {
    const gh = await servers.github(history())
    expect(await get(`${gh.url}${REPO}/commits/main`)).toMatchObject({
      status: 200,
      body: { sha: C, parents: [{ sha: B }] }
    })
    gh.setBranchHead('main', D)
    expect((await get(`${gh.url}${REPO}/commits/main`)).body).toMatchObject({ sha: D })
    const moved = D
    expect(gh.branchHead('main')).toBe(moved)
  })

  it('answers 422 for an unknown branch, as GitHub does', async () => {
    const gh = await servers.github(history())
    const r = await get(`${gh.url}${REPO}/commits/nope`)
    expect(r).toMatchObject({ status: 422, body: { message: 'No commit found for SHA: nope' } })
  })

  it('reads a branch name with a slash, URL-encoded', async () => {
    const gh = await servers.github(history())
    gh.setBranchHead('release/1', B)
    expect((await get(`${gh.url}${REPO}/commits/release%2F1`)).body).toMatchObject({ sha: B })
  })

  it.each([
    [
      'ahead: the files changed after the base',
      A,
      C,
      'ahead',
      ['indexes/ticket.yaml', 'indexes/account.yaml']
    ],
    ['identical', C, C, 'identical', []],
    ['behind: nothing changed after the base', C, A, 'behind', []],
    ['diverged: the head side only', D, C, 'diverged', ['indexes/ticket.yaml', 'indexes/account.yaml']]
  ])('compares two commits, %s', async (_what, base, head, status, files) => {
    const gh = await servers.github(history())
    const r = await get(`${gh.url}${REPO}/compare/${base}...${head}`)
    expect(r.status).toBe(200)
    const body = r.body as { status: string; files: { filename: string }[] }
    expect(body.status).toBe(status)
    expect(body.files.map(f => f.filename)).toEqual(files)
  })

  it('lists a rename with its previous_filename', async () => {
    const gh = await servers.github(history())
    const body = (await get(`${gh.url}${REPO}/compare/${B}...${C}`)).body as { files: unknown[] }
    expect(body.files).toEqual([
      {
        filename: 'indexes/account.yaml',
        status: 'renamed',
        previous_filename: 'old/account.yaml',
        sha: C
      }
    ])
  })

  it('answers 404 for a commit it does not know', async () => {
    const gh = await servers.github(history())
    expect((await get(`${gh.url}${REPO}/compare/${'e'.repeat(40)}...${C}`)).status).toBe(404)
  })

  it('injects a fault on the head read like on any route', async () => {
    const gh = await servers.github({
      ...history(),
      faults: [{ path: `${REPO}/commits/main`, kind: 'status', status: 502 }]
    })
    expect((await get(`${gh.url}${REPO}/commits/main`)).status).toBe(502)
    expect((await get(`${gh.url}${REPO}/commits/main`)).status).toBe(200)
  })
})

describe('GitHub stand-in: labels', () => {
  it('creates a label once (422 already_exists after) and reads it by name', async () => {
    const gh = await servers.github()
    expect((await get(`${gh.url}${REPO}/labels/drift`)).status).toBe(404)
    expect(await send(`${gh.url}${REPO}/labels`, 'POST', { name: 'drift', color: 'd93f0b' })).toMatchObject({
      status: 201,
      body: { name: 'drift', color: 'd93f0b' }
    })
    expect((await send(`${gh.url}${REPO}/labels`, 'POST', { name: 'drift' })).status).toBe(422)
    expect((await get(`${gh.url}${REPO}/labels/drift`)).body).toMatchObject({ name: 'drift' })
    expect(gh.labels().map(l => l.name)).toEqual(['drift'])
  })

  it('creates an issue with labels (a missing label is created) and filters the list by label', async () => {
    const gh = await servers.github({ issues: [{ title: 'plain' }] })
    const created = await send(`${gh.url}${REPO}/issues`, 'POST', {
      title: 'x',
      body: 'y',
      labels: ['drift']
    })
    expect(created.body).toMatchObject({ labels: [{ name: 'drift' }] })
    const listed = await get(`${gh.url}${REPO}/issues?labels=drift&state=all`)
    expect((listed.body as { title: string }[]).map(i => i.title)).toEqual(['x'])
    expect(gh.labels().map(l => l.name)).toEqual(['drift'])
  })

  it('adds labels to an issue', async () => {
    const gh = await servers.github({ issues: [{ number: 3, title: 'old' }] })
    const r = await send(`${gh.url}${REPO}/issues/3/labels`, 'POST', { labels: ['drift'] })
    expect(r).toMatchObject({ status: 200, body: [{ name: 'drift' }] })
    expect(gh.issues()[0]!.labels).toEqual(['drift'])
  })

  it('pages a label-filtered list as GitHub does', async () => {
    const gh = await servers.github({
      issues: Array.from({ length: 250 }, (_, i) => ({
        title: `i${i}`,
        labels: i % 2 === 0 ? ['drift'] : []
      }))
    })
    const r = await get(`${gh.url}${REPO}/issues?labels=drift&state=all&per_page=100`)
    expect((r.body as unknown[]).length).toBe(100)
    expect(r.link).toContain('rel="next"')
    expect(r.link).toContain('page=2>; rel="last"')
  })
})

describe('GitHub stand-in: comment edits', () => {
  it('tells GraphQL who last edited a comment, and when', async () => {
    const gh = await servers.github({
      seedComments: [
        { issueNumber: 7, body: 'untouched' },
        { issueNumber: 7, body: 'to edit' }
      ]
    })
    const [untouched, edited] = gh.comments(7)
    gh.editComment(edited!.id, 'edited', 'mallory')
    const r = await send(`${gh.url}/graphql`, 'POST', {
      query:
        'query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt editor { login } } } }',
      variables: { ids: [untouched!.node_id, edited!.node_id, 'missing'] }
    })
    const nodes = (r.body as { data: { nodes: unknown[] } }).data.nodes
    expect(nodes[0]).toEqual({ id: untouched!.node_id, lastEditedAt: null, editor: null })
    expect(nodes[1]).toMatchObject({ id: edited!.node_id, editor: { login: 'mallory' } })
    expect(typeof (nodes[1] as { lastEditedAt: unknown }).lastEditedAt).toBe('string')
    expect(nodes[2]).toBeNull()
    expect(gh.comments(7)[1]!.body).toBe('edited')
  })

  it('records an edit through the REST API as the token identity, named without [bot] in GraphQL', async () => {
    const gh = await servers.github({ seedComments: [{ issueNumber: 7, body: 'mine' }] })
    const [c] = gh.comments(7)
    await send(`${gh.url}${REPO}/issues/comments/${c!.id}`, 'PATCH', { body: 'mine, again' })
    const r = await send(`${gh.url}/graphql`, 'POST', {
      query:
        'query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt editor { login } } } }',
      variables: { ids: [c!.node_id] }
    })
    expect((r.body as { data: { nodes: unknown[] } }).data.nodes[0]).toMatchObject({
      editor: { login: 'github-actions' }
    })
  })
})
