import { describe, expect, it } from 'vitest'
import { regionDomain, resolveHosts } from '../src/platform/regions.js'

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

  it('accepts a domain that is not in the table when it looks like a host name', () => {
    expect(resolveHosts({ region: 'new1.pure.cloud' }).loginBase).toBe('https://login.new1.pure.cloud')
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

  it('rejects an unknown region name and lists the accepted names', () => {
    expect(() => regionDomain('us-north-9')).toThrow(/Unknown region 'us-north-9'.*us-east-1.*mx-central-1/)
  })
})
