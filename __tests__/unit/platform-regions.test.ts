import { describe, expect, it } from 'vitest'
import { REGION_DOMAINS, closestRegion, regionDomain, resolveHosts } from '../../src/platform/regions.js'

describe('regions', () => {
  it('maps a region name to its API and login hosts', () => {
    expect(resolveHosts({ region: 'eu-central-1' })).toEqual({
      apiBase: 'https://api.mypurecloud.de',
      loginBase: 'https://login.mypurecloud.de'
    })
  })

  it('accepts region names written with underscores', () => {
    expect(regionDomain('ap_southeast_2')).toBe('mypurecloud.com.au')
  })

  it('accepts a domain from the table', () => {
    expect(resolveHosts({ region: 'usw2.pure.cloud' }).apiBase).toBe('https://api.usw2.pure.cloud')
  })

  it('rejects a domain that is not in the table, even when it looks like a host name', () => {
    expect(() => resolveHosts({ region: 'new1.pure.cloud' })).toThrow(
      /^unknown region 'new1\.pure\.cloud'\. Did you mean 'mec1\.pure\.cloud'\?/
    )
  })

  it('accepts every region name (dashes or underscores) and every domain of the table', () => {
    for (const [name, domain] of Object.entries(REGION_DOMAINS)) {
      expect(regionDomain(name)).toBe(domain)
      expect(regionDomain(name.replace(/-/g, '_').toUpperCase())).toBe(domain)
      expect(regionDomain(` ${domain} `)).toBe(domain)
    }
    expect(Object.keys(REGION_DOMAINS)).toHaveLength(17)
  })

  it('lets api-url and login-url override the hosts, trailing slash trimmed', () => {
    expect(
      resolveHosts({
        region: 'mypurecloud.com',
        apiUrl: 'http://127.0.0.1:8787/',
        loginUrl: 'http://127.0.0.1:9/'
      })
    ).toEqual({ apiBase: 'http://127.0.0.1:8787', loginBase: 'http://127.0.0.1:9' })
  })

  it('overrides only the host that is given', () => {
    expect(resolveHosts({ region: 'us-east-1', apiUrl: 'https://proxy.example.com//' })).toEqual({
      apiBase: 'https://proxy.example.com',
      loginBase: 'https://login.mypurecloud.com'
    })
  })

  it('rejects an unknown region naming the closest domain, and lists the accepted names and domains', () => {
    expect(() => regionDomain('mypurecloud.con')).toThrow(
      /^unknown region 'mypurecloud\.con'\. Did you mean 'mypurecloud\.com'\? .*us-east-1 \(mypurecloud\.com\).*mx-central-1 \(mxc1\.pure\.cloud\).*api-url and login-url/
    )
  })

  it('names the closest region name for a misspelt name', () => {
    expect(closestRegion('us-est-1')).toBe('us-east-1')
    expect(closestRegion('eu_centrl_2')).toBe('eu-central-2')
    expect(closestRegion('mypurecloud.co.au')).toBe('mypurecloud.com.au')
    expect(() => regionDomain('ap-northeast-9')).toThrow(/Did you mean 'ap-northeast-1'\?/)
  })

  it('never takes a name inherited from Object as a region', () => {
    expect(() => regionDomain('constructor')).toThrow(/unknown region 'constructor'/)
    expect(() => regionDomain('__proto__')).toThrow(/unknown region '__proto__'/)
  })

  it('validates the region even when api-url and login-url are both given', () => {
    expect(() =>
      resolveHosts({
        region: 'attacker.example',
        apiUrl: 'http://127.0.0.1:1',
        loginUrl: 'http://127.0.0.1:2'
      })
    ).toThrow(/unknown region 'attacker\.example'/)
  })

  it('quotes an unknown region with control characters replaced and its length capped', () => {
    const message = (() => {
      try {
        regionDomain(`x\n::error::${'a'.repeat(200)}`)
      } catch (e) {
        return (e as Error).message
      }
      return ''
    })()
    expect(message).not.toContain('\n')
    expect(message).toMatch(/^unknown region 'x\?::error::a{53}…'/)
  })
})
