// The GitHub stand-in at scale, over real sockets: a pull request's files paged as GitHub pages them (100 at
// most, 3,000 in all), the compare of two registered commits (status, files on the first page, 300 at most),
// and GitHub's 65,536-character limit on a comment, refused with GitHub's own 422 body.
import { describe, expect, it } from 'vitest'
import { useServers } from '../helpers/servers.js'

const servers = useServers()
const AUTH = { authorization: 'token ghs_test' }
const REPO = '/repos/acme/indexes'

const files = (n: number): { filename: string; status: 'modified' }[] =>
  Array.from({ length: n }, (_, i) => ({ filename: `f${i}.yaml`, status: 'modified' }))

async function get(url: string): Promise<{ status: number; body: unknown; link: string }> {
  const res = await fetch(url, { headers: AUTH })
  return { status: res.status, body: await res.json(), link: res.headers.get('link') ?? '' }
}

describe('GitHub stand-in: changed files', () => {
  it("pages a pull request's files 100 at most, and lists no more than 3,000", async () => {
    const gh = await servers.github({
      pullRequests: [{ number: 7, headSha: 'a'.repeat(40), files: files(3_050) }]
    })
    const first = await get(`${gh.url}${REPO}/pulls/7/files?per_page=500`)
    expect((first.body as unknown[]).length).toBe(100)
    expect(first.link).toContain('page=30>; rel="last"')
    const last = await get(`${gh.url}${REPO}/pulls/7/files?per_page=100&page=30`)
    expect((last.body as { filename: string }[]).at(-1)!.filename).toBe('f2999.yaml')
  })

  it.each([
    ['b', 'd', 'ahead', ['f1.yaml', 'f2.yaml']],
    ['d', 'd', 'identical', []],
    ['d', 'b', 'behind', []],
    ['e', 'd', 'diverged', ['f1.yaml', 'f2.yaml']]
  ])('compares %s...%s as %s with the head side’s files', async (base, head, status, names) => {
    const sha = (c: string): string => c.repeat(40)
    const gh = await servers.github({
      commits: [
        { sha: sha('a') },
        { sha: sha('b'), parents: [sha('a')], files: [{ filename: 'f0.yaml', status: 'added' }] },
        { sha: sha('c'), parents: [sha('b')], files: [{ filename: 'f1.yaml', status: 'modified' }] },
        { sha: sha('d'), parents: [sha('c')], files: [{ filename: 'f2.yaml', status: 'removed' }] },
        { sha: sha('e'), parents: [sha('b')] }
      ]
    })
    const res = await get(`${gh.url}${REPO}/compare/${sha(base)}...${sha(head)}`)
    expect(res.status).toBe(200)
    const body = res.body as { status: string; files: { filename: string }[] }
    expect(body.status).toBe(status)
    expect(body.files.map(f => f.filename).sort()).toEqual(names)
  })

  it('lists at most 300 files in a compare, on its first page only, and 404s an unknown commit', async () => {
    const gh = await servers.github({
      commits: [
        { sha: 'a'.repeat(40) },
        { sha: 'b'.repeat(40), parents: ['a'.repeat(40)], files: files(400) }
      ]
    })
    const compare = `${gh.url}${REPO}/compare/${'a'.repeat(40)}...${'b'.repeat(40)}`
    expect(((await get(compare)).body as { files: unknown[] }).files).toHaveLength(300)
    expect((await get(`${compare}?page=2`)).body).not.toHaveProperty('files')
    expect((await get(`${gh.url}${REPO}/compare/${'c'.repeat(40)}...${'b'.repeat(40)}`)).status).toBe(404)
  })
})

describe('GitHub stand-in: the comment size limit', () => {
  it.each(['POST', 'PATCH'])(
    'refuses a %s of a body over 65,536 characters with GitHub’s 422',
    async method => {
      const gh = await servers.github()
      const created = gh.addComment({ issueNumber: 7, body: 'short' })
      const url =
        method === 'POST'
          ? `${gh.url}${REPO}/issues/7/comments`
          : `${gh.url}${REPO}/issues/comments/${created.id}`
      const res = await fetch(url, {
        method,
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ body: 'x'.repeat(65_537) })
      })
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({
        message: 'Validation Failed',
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: 'body is too long (maximum is 65536 characters)'
          }
        ]
      })
      expect(gh.comments(7).map(c => c.body)).toEqual(['short'])
    }
  )
})
