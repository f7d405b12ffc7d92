/**
 * A forward proxy on 127.0.0.1, as a corporate network puts in front of a runner: it forwards
 * plain HTTP requests sent with an absolute URL and tunnels CONNECT requests, and keeps a record
 * of each. Host names ending in `.test` are resolved to 127.0.0.1 by the proxy alone, so a client
 * can reach such a name only through it.
 */
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export interface ProxiedRequest {
  /** CONNECT for a tunnel, else the forwarded request's method. */
  method: string
  host: string
  port: number
}

export interface ForwardProxy {
  url: string
  readonly requests: ProxiedRequest[]
  /** The requests for `host:port`. */
  to(host: string, port: number): ProxiedRequest[]
  close(): Promise<void>
}

const resolve = (host: string): string => (host.endsWith('.test') ? '127.0.0.1' : host)

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = []
  const sockets = new Set<net.Socket>()
  const server = http.createServer((req, res) => {
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('A proxy request needs an absolute URL.')
      return
    }
    const port = Number(target.port || 80)
    requests.push({ method: req.method ?? 'GET', host: target.hostname, port })
    const headers = { ...req.headers }
    delete headers['proxy-connection']
    delete headers['proxy-authorization']
    const upstream = http.request(
      {
        host: resolve(target.hostname),
        port,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers
      },
      response => {
        res.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(res)
      }
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end()
      else res.destroy()
    })
    req.pipe(upstream)
  })
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host = '', portText = '443'] = (req.url ?? '').split(/:(?=\d+$)/)
    const port = Number(portText)
    requests.push({ method: 'CONNECT', host, port })
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    const upstream = net.connect(port, resolve(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>(ready => server.listen(0, '127.0.0.1', ready))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (host, targetPort) => requests.filter(r => r.host === host && r.port === targetPort),
    close: () =>
      new Promise(done => {
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}
