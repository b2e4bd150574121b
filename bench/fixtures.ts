// What the benches share: a gateway client on the emulator's default client, and a dataset of many small
// objects.
import { DEFAULT_CLIENT, type EmulatorData } from '../src/emulator/index.js'
import type { LiveIndex, SchemaDocument } from '../src/model.js'
import { createAuthorizedClient, createTokenSource } from '../src/platform/auth.js'
import { createGatewayClient, type GatewayClient } from '../src/platform/gateway.js'
import { createHttpClient, type PlatformHttpClient } from '../src/platform/http.js'
import { createRateLimiter } from '../src/platform/ratelimit.js'

/** A gateway client against `url` (login and API share it), as the action wires it. */
export function connect(url: string): { gateway: GatewayClient; http: PlatformHttpClient } {
  const http = createHttpClient({ limiter: createRateLimiter({ maxConcurrent: 4 }) })
  const tokens = createTokenSource({
    http,
    loginBase: url,
    clientId: DEFAULT_CLIENT.id,
    clientSecret: DEFAULT_CLIENT.secret
  })
  return { gateway: createGatewayClient({ api: createAuthorizedClient(http, tokens), apiBase: url }), http }
}

/** The id of bench object `i`. */
export function benchId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
}

/** `count` objects `Bench{i}` of 50 records (fields `code`, `n` = r % `nModulo`) with the given live indexes. */
export function benchObjects(count: number, opts: { indexes: LiveIndex[]; nModulo: number }): EmulatorData {
  return {
    objects: Array.from({ length: count }, (_, i) => {
      const id = benchId(i)
      const schema: SchemaDocument = {
        id,
        name: `Bench${i}`,
        schemaVersion: 1,
        lastUpdated: new Date(0).toISOString(),
        selfUri: `/api/v2/data-gateway/customobjects/schemas/${id}`,
        fields: [
          { name: 'code', type: 'string', maxLength: 20, cardinalityHint: 'high' },
          { name: 'n', type: 'number' }
        ],
        indexes: opts.indexes.map(index => ({ ...index }))
      }
      const records = Array.from({ length: 50 }, (_, r) => ({
        id: `${i}-${r}`,
        code: `c${r}`,
        n: r % opts.nModulo
      }))
      return { schema, records }
    })
  }
}
