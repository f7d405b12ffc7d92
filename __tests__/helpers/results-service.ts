/**
 * A stand-in for the Actions results service that @actions/artifact uploads to, on 127.0.0.1:
 * the Twirp calls CreateArtifact and FinalizeArtifact, and the blob storage its signed URL
 * points at (Put Block, Put Block List). Keeps each finalized artifact's bytes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StoredArtifact {
  name: string
  body: Buffer
  size: string
  hash?: string
  backendIds: { workflowRunBackendId: string; workflowJobRunBackendId: string }
}

export interface FakeResultsService {
  url: string
  /** An ACTIONS_RUNTIME_TOKEN the artifact client accepts (a JWT with the Actions.Results scope). */
  token: string
  artifacts: StoredArtifact[]
  /** Called as each artifact is finalized, to see what else had happened by then. */
  onFinalize?: (artifact: StoredArtifact) => void
  close(): Promise<void>
}

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export async function startFakeResultsService(): Promise<FakeResultsService> {
  const blocks = new Map<string, Buffer>()
  const blobs = new Map<string, Buffer>()
  const service: FakeResultsService = {
    url: '',
    token: [
      base64url({ alg: 'none', typ: 'JWT' }),
      base64url({ scp: 'Actions.GenericRead Actions.Results:run-backend-1:job-backend-1' }),
      'unsigned'
    ].join('.'),
    artifacts: [],
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req)
      const url = new URL(req.url ?? '/', service.url)
      const json = (status: number, payload: object): void => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(payload))
      }
      if (req.method === 'POST' && url.pathname === `${TWIRP}CreateArtifact`) {
        const request = JSON.parse(body.toString('utf8')) as { name: string }
        return json(200, {
          ok: true,
          signedUploadUrl: `${service.url}/devstoreaccount1/artifacts/${encodeURIComponent(request.name)}?sig=fake`
        })
      }
      if (req.method === 'POST' && url.pathname === `${TWIRP}FinalizeArtifact`) {
        // Twirp's JSON names fields in snake_case (protobuf's names).
        const request = JSON.parse(body.toString('utf8')) as {
          workflow_run_backend_id: string
          workflow_job_run_backend_id: string
          name: string
          size: string
          hash?: string
        }
        const blob = blobs.get(`/devstoreaccount1/artifacts/${encodeURIComponent(request.name)}`)
        if (!blob) return json(404, { code: 'not_found', msg: 'no upload for this artifact' })
        const artifact: StoredArtifact = {
          name: request.name,
          body: blob,
          size: request.size,
          ...(request.hash ? { hash: request.hash } : {}),
          backendIds: {
            workflowRunBackendId: request.workflow_run_backend_id,
            workflowJobRunBackendId: request.workflow_job_run_backend_id
          }
        }
        service.artifacts.push(artifact)
        service.onFinalize?.(artifact)
        return json(200, { ok: true, artifactId: String(service.artifacts.length) })
      }
      if (req.method === 'PUT' && url.searchParams.get('comp') === 'block') {
        blocks.set(`${url.pathname}#${url.searchParams.get('blockid')}`, body)
        res.writeHead(201).end()
        return
      }
      if (req.method === 'PUT' && url.searchParams.get('comp') === 'blocklist') {
        const ids = [
          ...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)
        ]
        const parts = ids.map(([, id]) => blocks.get(`${url.pathname}#${id}`))
        if (parts.some(p => !p)) {
          res.writeHead(400).end()
          return
        }
        blobs.set(url.pathname, Buffer.concat(parts as Buffer[]))
        res.writeHead(201, { etag: '"0x1"' }).end()
        return
      }
      if (req.method === 'PUT') {
        blobs.set(url.pathname, body)
        res.writeHead(201, { etag: '"0x1"' }).end()
        return
      }
      json(404, { code: 'not_found', msg: `${req.method} ${url.pathname}` })
    })()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return service
}
