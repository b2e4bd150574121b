// A forward proxy on 127.0.0.1 for the proxy tests: it answers CONNECT (tunnels, as proxy agents use them) and
// absolute-form requests (plain forwarding), and reaches only the names it is given, each mapped to a port of
// 127.0.0.1. Those names resolve nowhere else, so a request that reaches a server through one of them went
// through this proxy: a client that tried to connect directly would fail to resolve the name.
import http from 'node:http'
import net from 'node:net'

export interface ForwardProxy {
  /** http://127.0.0.1:PORT */
  url: string
  /** `host:port` of every request it carried (CONNECT or forwarded), in arrival order. */
  seen(): string[]
  close(): Promise<void>
}

/** Starts the proxy; `routes` maps `host:port` (e.g. `platform.test:80`) to a port of 127.0.0.1. */
export async function startForwardProxy(routes: Readonly<Record<string, number>>): Promise<ForwardProxy> {
  const seen: string[] = []
  const sockets = new Set<net.Socket>()
  const server = http.createServer((req, res) => {
    // Absolute form: GET http://platform.test/path HTTP/1.1
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('absolute-form request expected')
      return
    }
    const hostPort = `${target.hostname}:${target.port || '80'}`
    seen.push(hostPort)
    const port = routes[hostPort]
    if (port === undefined) {
      res.writeHead(502).end(`the proxy does not reach ${hostPort}`)
      return
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: req.headers
      },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const hostPort = req.url ?? ''
    seen.push(hostPort)
    const port = routes[hostPort]
    if (port === undefined) {
      client.end(`HTTP/1.1 502 Bad Gateway\r\n\r\n`)
      return
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    for (const s of [upstream, client]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        upstream.destroy()
        client.destroy()
      })
    }
  })
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen: () => [...seen],
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>(resolve =>
        server.close(() => {
          resolve()
        })
      )
    }
  }
}
