/**
 * One measured task in its own process, so its peak RSS is its own. Prints one JSON line:
 * { ms, maxRssMb, bytes }.
 *   tsx bench/worker.ts <task> <args…>
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import AdmZip from 'adm-zip'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { createBundle } from '../src/engine/bundle/index.js'
import { uploadBundle } from '../src/engine/upload.js'

const [task, ...args] = process.argv.slice(2)

function client(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  })
}

async function main(): Promise<number> {
  switch (task) {
    case 'bundle': {
      const [source, out] = args as [string, string]
      return (await createBundle({ source, type: 'zip', outFile: out })).size
    }
    case 'adm-zip': {
      // The in-memory approach: the whole archive is built in a Buffer, then written.
      const [source, out] = args as [string, string]
      const zip = new AdmZip()
      zip.addLocalFolder(source)
      zip.writeZip(out)
      return (await stat(out)).size
    }
    case 'zip-cli': {
      const [source, out] = args as [string, string]
      const result = spawnSync('zip', ['-qr', '-y', out, '.'], { cwd: source })
      if (result.status !== 0) throw new Error('zip failed')
      return (await stat(out)).size
    }
    case 'upload': {
      const [endpoint, file] = args as [string, string]
      const info = await stat(file)
      const s3 = client(endpoint)
      const sha = createHash('sha256').update(String(Date.now())).digest('hex')
      await uploadBundle({
        s3,
        file,
        size: info.size,
        sha256: sha,
        bundleType: 'zip',
        bucket: 'bench',
        keyPrefix: 'streamed/'
      })
      s3.destroy()
      return info.size
    }
    case 'put-buffer': {
      // The simple approach: read the bundle into memory and PutObject it in one request.
      const [endpoint, file] = args as [string, string]
      const s3 = client(endpoint)
      const body = await readFile(file)
      await s3.send(
        new PutObjectCommand({ Bucket: 'bench', Key: `buffer/${Date.now()}.zip`, Body: body })
      )
      s3.destroy()
      return body.length
    }
    default:
      throw new Error(`unknown task ${task}`)
  }
}

const started = performance.now()
const bytes = await main()
const ms = performance.now() - started
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, bytes }))
