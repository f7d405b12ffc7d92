/**
 * A stand-in for the two GitHub REST endpoints `github-deployment` calls, on 127.0.0.1: it keeps
 * every request and answers like api.github.com (201 with the created object), or with the
 * status a test asks for.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  authorization: string
  body: Record<string, unknown>
}

export interface FakeGitHubApi {
  url: string
  requests: RecordedRequest[]
  /** Answer deployment creation with this HTTP status (e.g. 403) instead of 201. */
  refuseCreate?: number
  close(): Promise<void>
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

export async function startFakeGitHubApi(): Promise<FakeGitHubApi> {
  let nextId = 1000
  const api: FakeGitHubApi = {
    url: '',
    requests: [],
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const path = (req.url ?? '').split('?')[0]!
      api.requests.push({
        method: req.method ?? '',
        path,
        authorization: req.headers.authorization ?? '',
        body
      })
      const send = (status: number, payload: object): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(payload))
      }
      if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/deployments$/.test(path)) {
        if (api.refuseCreate)
          return send(api.refuseCreate, { message: 'Resource not accessible by integration' })
        return send(201, { id: ++nextId, environment: body.environment, ref: body.ref })
      }
      const status = /^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/.exec(path)
      if (req.method === 'POST' && status)
        return send(201, { id: ++nextId, state: body.state, deployment_id: Number(status[1]) })
      send(404, { message: 'Not Found' })
    })()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return api
}
