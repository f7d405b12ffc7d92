import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  utimes,
  writeFile
} from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import yauzl from 'yauzl'
import { createBundle, ENTRY_TIME, type BundleType } from '../src/engine/revision/bundle/index.js'
import { InputError } from '../src/engine/errors.js'
import { checksWith } from './helpers/tools.js'

const POSIX = process.platform !== 'win32'

interface ReadEntry {
  kind: 'file' | 'dir' | 'link'
  /** Permission bits (0o7777). */
  mode: number
  content: string
  mtime: Date
}

async function readZip(
  file: string
): Promise<{ entries: Map<string, ReadEntry>; madeBy: Set<number> }> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true })
  const entries = new Map<string, ReadEntry>()
  const madeBy = new Set<number>()
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', () => resolve())
    zip.on('entry', (entry: yauzl.Entry) => {
      const unix = entry.externalFileAttributes >>> 16
      madeBy.add(entry.versionMadeBy >> 8)
      const type = unix & 0o170000
      const kind = type === 0o040000 ? 'dir' : type === 0o120000 ? 'link' : 'file'
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error)
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('error', reject)
        stream.on('end', () => {
          entries.set(entry.fileName, {
            kind,
            mode: unix & 0o7777,
            content: Buffer.concat(chunks).toString(),
            mtime: entry.getLastModDate()
          })
          zip.readEntry()
        })
      })
    })
    zip.readEntry()
  })
  zip.close()
  return { entries, madeBy }
}

async function readTar(
  file: string,
  gzip: boolean
): Promise<Map<string, ReadEntry & { uid: number; uname: string }>> {
  const entries = new Map<string, ReadEntry & { uid: number; uname: string }>()
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
    stream.on('end', () => {
      const kind = header.type === 'directory' ? 'dir' : header.type === 'symlink' ? 'link' : 'file'
      entries.set(header.name.replace(/\/$/, ''), {
        kind,
        mode: header.mode & 0o7777,
        content: kind === 'link' ? header.linkname : Buffer.concat(chunks).toString(),
        mtime: header.mtime,
        uid: header.uid,
        uname: header.uname
      })
      next()
    })
  })
  const stages = gzip
    ? [createReadStream(file), createGunzip(), extract]
    : [createReadStream(file), extract]
  await pipeline(stages)
  return entries
}

/** Reads any bundle into one shape; zip directory names lose their trailing slash. */
async function readBundle(file: string, type: BundleType): Promise<Map<string, ReadEntry>> {
  if (type !== 'zip') return readTar(file, type === 'tgz')
  const { entries } = await readZip(file)
  return new Map([...entries].map(([name, entry]) => [name.replace(/\/$/, ''), entry]))
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false
  )
}

let work: string
let src: string
let out: string

async function put(rel: string, content: string, mode = 0o644): Promise<void> {
  const file = path.join(src, rel)
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, content)
  await chmod(file, mode)
}

/** A tree with every kind of entry the bundle treats specially. */
async function makeTree(): Promise<void> {
  await put('appspec.yml', 'version: 0.0\nos: linux\n')
  await put('scripts/start.sh', '#!/bin/sh\necho start\n', 0o644) // lost its x bit
  await put('scripts/stop.sh', '#!/bin/sh\necho stop\n', 0o644)
  await put('bin/tool', '#!/bin/sh\necho tool\n', 0o750)
  await put('site/index.html', '<h1>hello</h1>\n')
  await put('site/empty.txt', '')
  await put('debug.log', 'noise\n')
  await put('keep.log', 'kept by a negation\n')
  await put('secret/key.pem', 'private\n')
  await put('.codedeployignore', '# packaging rules\n*.log\n!keep.log\nsecret/\n')
  await put('.git/HEAD', 'ref: refs/heads/main\n')
  await put('vendor/lib/.git', 'gitdir: ../../.git/modules/lib\n')
  await put('vendor/lib/lib.js', 'module.exports = 1\n')
  await mkdir(path.join(src, 'empty/nested'), { recursive: true })
  await symlink('index.html', path.join(src, 'site/latest.html'))
  await symlink('site', path.join(src, 'current'))
  await symlink('start.sh', path.join(src, 'scripts/run.sh'))
}

const expectedNames = [
  'appspec.yml',
  'bin',
  'bin/tool',
  'current',
  'empty',
  'empty/nested',
  'keep.log',
  'scripts',
  'scripts/run.sh',
  'scripts/start.sh',
  'scripts/stop.sh',
  'site',
  'site/empty.txt',
  'site/index.html',
  'site/latest.html',
  'vendor',
  'vendor/lib',
  'vendor/lib/lib.js'
]

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'bundle-'))
  src = path.join(work, 'src')
  out = path.join(work, 'out')
  await mkdir(src)
  await mkdir(out)
})
afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

describe.each<BundleType>(['zip', 'tgz', 'tar'])('%s bundle', type => {
  it('holds the tree, relative to the source, minus .git and the ignored entries', async () => {
    await makeTree()
    const outFile = path.join(out, `bundle.${type}`)
    const result = await createBundle({
      source: src,
      type,
      outFile,
      executables: ['scripts/stop.sh']
    })
    const entries = await readBundle(outFile, type)

    expect([...entries.keys()].sort()).toEqual(expectedNames)
    expect(entries.get('appspec.yml')?.content).toBe('version: 0.0\nos: linux\n')
    expect(entries.get('site/index.html')?.content).toBe('<h1>hello</h1>\n')
    expect(entries.get('site/empty.txt')).toMatchObject({ kind: 'file', content: '' })
    expect(entries.get('empty/nested')?.kind).toBe('dir')

    expect(result).toMatchObject({ path: outFile, type, files: 8, directories: 7, symlinks: 3 })
    // debug.log, secret/, .codedeployignore, .git/, vendor/lib/.git
    expect(result.excluded).toBe(5)
  })

  it('keeps modes and marks hook scripts executable', async () => {
    await makeTree()
    const outFile = path.join(out, `bundle.${type}`)
    await createBundle({
      source: src,
      type,
      outFile,
      executables: ['./scripts/stop.sh', 'scripts/run.sh']
    })
    const entries = await readBundle(outFile, type)
    if (POSIX) {
      expect(entries.get('bin/tool')?.mode).toBe(0o750)
      expect(entries.get('site/index.html')?.mode).toBe(0o644)
      expect(entries.get('empty')?.mode).toBe((await stat(path.join(src, 'empty'))).mode & 0o7777)
    }
    // named directly, and through a link to it
    expect(entries.get('scripts/stop.sh')?.mode).toBe(0o755)
    expect(entries.get('scripts/start.sh')?.mode).toBe(0o755)
  })

  it('stores links as links, not as what they point to', async () => {
    await makeTree()
    const outFile = path.join(out, `bundle.${type}`)
    await createBundle({ source: src, type, outFile })
    const entries = await readBundle(outFile, type)
    expect(entries.get('site/latest.html')).toMatchObject({ kind: 'link', content: 'index.html' })
    expect(entries.get('current')).toMatchObject({ kind: 'link', content: 'site' })
    // the linked directory is not followed
    expect(entries.has('current/index.html')).toBe(false)
  })

  it('gives every entry the same timestamp and no owner names', async () => {
    await makeTree()
    const outFile = path.join(out, `bundle.${type}`)
    await createBundle({ source: src, type, outFile })
    const entries = await readBundle(outFile, type)
    for (const entry of entries.values()) {
      if (type === 'zip') {
        // DOS time has no zone: it reads back as the same wall-clock time
        expect(entry.mtime.getFullYear()).toBe(ENTRY_TIME.getUTCFullYear())
        expect(entry.mtime.getHours()).toBe(ENTRY_TIME.getUTCHours())
      } else {
        expect(entry.mtime.getTime()).toBe(ENTRY_TIME.getTime())
        expect(entry).toMatchObject({ uid: 0, uname: '' })
      }
    }
  })

  it('reports the size and sha256 of the bytes it wrote', async () => {
    await makeTree()
    const outFile = path.join(out, `bundle.${type}`)
    const result = await createBundle({ source: src, type, outFile })
    expect(result.size).toBe((await stat(outFile)).size)
    expect(result.sha256).toBe(await sha256(outFile))
  })

  it('makes the same bytes from the same tree, whatever the mtimes', async () => {
    await makeTree()
    const first = await createBundle({ source: src, type, outFile: path.join(out, `1.${type}`) })
    const later = new Date(Date.now() + 3_600_000)
    await utimes(path.join(src, 'site/index.html'), later, later)
    await utimes(path.join(src, 'empty'), later, later)
    const second = await createBundle({ source: src, type, outFile: path.join(out, `2.${type}`) })
    expect(second.sha256).toBe(first.sha256)

    await put('site/index.html', '<h1>changed</h1>\n')
    const third = await createBundle({ source: src, type, outFile: path.join(out, `3.${type}`) })
    expect(third.sha256).not.toBe(first.sha256)
  })

  it('uses the mtime it is given', async () => {
    await makeTree()
    const mtime = new Date(Date.UTC(2024, 4, 6, 7, 8, 10))
    const outFile = path.join(out, `bundle.${type}`)
    const base = await createBundle({ source: src, type, outFile: path.join(out, `base.${type}`) })
    const result = await createBundle({ source: src, type, outFile, mtime })
    expect(result.sha256).not.toBe(base.sha256)
    const entry = (await readBundle(outFile, type)).get('appspec.yml')
    if (type === 'zip') expect(entry?.mtime.getDate()).toBe(mtime.getUTCDate())
    else expect(entry?.mtime.getTime()).toBe(mtime.getTime())
  })

  it('stops when aborted and deletes the partial file', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    // incompressible and big enough that packaging is still running when we abort
    const big = await open(path.join(src, 'big.bin'), 'w')
    for (let i = 0; i < 64; i++) await big.write(randomBytes(1 << 20))
    await big.close()

    const outFile = path.join(out, `bundle.${type}`)
    const controller = new AbortController()
    const reason = new Error('job cancelled')
    const running = createBundle({ source: src, type, outFile, signal: controller.signal })
    // The bundle is written under a temporary name beside outFile, renamed once whole.
    const writing = async (): Promise<boolean> => {
      const partial = (await readdir(out)).find(name => name.endsWith('.partial'))
      if (!partial) return false
      return stat(path.join(out, partial)).then(
        s => s.size > 0,
        () => false
      )
    }
    while (!(await writing())) await new Promise(resolve => setTimeout(resolve, 1))
    expect(await exists(outFile)).toBe(false)
    controller.abort(reason)
    await expect(running).rejects.toBe(reason)
    expect(await readdir(out)).toEqual([])
  })
})

describe('zip compression', () => {
  it('stores files that do not compress and deflates the rest, with the same bytes back', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    const noise = randomBytes(256 * 1024)
    const text = Buffer.from('GET /health HTTP/1.1 200 OK\n'.repeat(10_000))
    await writeFile(path.join(src, 'noise.bin'), noise)
    await writeFile(path.join(src, 'access.log'), text)
    const result = await createBundle({
      source: src,
      type: 'zip',
      outFile: path.join(out, 'c.zip')
    })
    const zip = await yauzl.openPromise(result.path, { lazyEntries: true })
    const seen = new Map<string, { method: number; compressed: number; body: Buffer }>()
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject)
      zip.on('end', () => resolve())
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (error, stream) => {
          if (error) return reject(error)
          const chunks: Buffer[] = []
          stream.on('data', (chunk: Buffer) => chunks.push(chunk))
          stream.on('end', () => {
            seen.set(entry.fileName, {
              method: entry.compressionMethod,
              compressed: entry.compressedSize,
              body: Buffer.concat(chunks)
            })
            zip.readEntry()
          })
        })
      })
      zip.readEntry()
    })
    zip.close()
    expect(seen.get('noise.bin')).toMatchObject({ method: 0, compressed: noise.length })
    expect(seen.get('noise.bin')!.body.equals(noise)).toBe(true)
    expect(seen.get('access.log')!.method).toBe(8)
    expect(seen.get('access.log')!.compressed).toBeLessThan(text.length / 10)
    expect(seen.get('access.log')!.body.equals(text)).toBe(true)
  })
})

describe('zip timestamps', () => {
  it('do not depend on the time zone of the runner', async () => {
    await makeTree()
    const original = process.env.TZ
    const hashes: string[] = []
    try {
      for (const zone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
        process.env.TZ = zone
        const result = await createBundle({
          source: src,
          type: 'zip',
          outFile: path.join(out, `${hashes.length}.zip`)
        })
        hashes.push(result.sha256)
      }
    } finally {
      if (original === undefined) delete process.env.TZ
      else process.env.TZ = original
    }
    expect(new Set(hashes).size).toBe(1)
  })
})

describe('refusals', () => {
  const outFile = (): string => path.join(out, 'bundle.zip')

  it('refuses a link that leaves the source', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    await put('../outside.txt', 'not packaged\n')
    await symlink('../outside.txt', path.join(src, 'escape'))
    const run = createBundle({ source: src, type: 'zip', outFile: outFile() })
    await expect(run).rejects.toThrow(InputError)
    await expect(createBundle({ source: src, type: 'zip', outFile: outFile() })).rejects.toThrow(
      /Link escape -> \.\.\/outside\.txt leaves the source directory.*relative link.*\.codedeployignore/
    )
    expect(await exists(outFile())).toBe(false)
  })

  it('refuses an absolute link, even to a file inside the source', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    await symlink(path.join(src, 'appspec.yml'), path.join(src, 'abs'))
    await expect(createBundle({ source: src, type: 'tgz', outFile: outFile() })).rejects.toThrow(
      /Link abs -> .* is absolute/
    )
  })

  it('accepts an escaping link that the ignore rules leave out', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    await put('.codedeployignore', 'escape\n')
    await symlink('../../etc', path.join(src, 'escape'))
    const result = await createBundle({ source: src, type: 'zip', outFile: outFile() })
    expect(result.symlinks).toBe(0)
  })

  it('refuses ignore rules that exclude the appspec', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    await put('app.js', '1\n')
    await put('.codedeployignore', '*.yml\n')
    await expect(createBundle({ source: src, type: 'zip', outFile: outFile() })).rejects.toThrow(
      /\.codedeployignore excludes appspec.yml.*'!appspec.yml'/
    )
  })

  it('refuses a hook script the ignore rules leave out', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    await put('scripts/start.sh', '#!/bin/sh\n')
    await put('.codedeployignore', 'scripts/\n')
    await expect(
      createBundle({
        source: src,
        type: 'zip',
        outFile: outFile(),
        executables: ['scripts/start.sh']
      })
    ).rejects.toThrow(/Hook script scripts\/start.sh is excluded by \.codedeployignore/)
  })

  it('refuses a source with nothing to package', async () => {
    await put('.git/HEAD', 'ref\n')
    await mkdir(path.join(src, 'empty'))
    await expect(createBundle({ source: src, type: 'tar', outFile: outFile() })).rejects.toThrow(
      /has no files to package \(1 entry is excluded by \.git/
    )
  })

  const socketTest = POSIX ? it : it.skip
  socketTest('refuses a socket, naming it', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    const server: Server = createServer()
    await new Promise<void>(resolve => server.listen(path.join(src, 'agent.sock'), resolve))
    try {
      await expect(createBundle({ source: src, type: 'zip', outFile: outFile() })).rejects.toThrow(
        /agent.sock .* not a regular file, directory or link.*\.codedeployignore/
      )
    } finally {
      await new Promise(resolve => server.close(resolve))
    }
  })

  it('leaves out its own output when it is written inside the source', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    const inside = path.join(src, 'bundle.tar')
    await createBundle({ source: src, type: 'tar', outFile: inside })
    const again = await createBundle({ source: src, type: 'tar', outFile: inside })
    expect([...(await readBundle(inside, 'tar')).keys()]).toEqual(['appspec.yml'])
    expect(again.files).toBe(1)
  })

  it('does not start when the signal is already aborted', async () => {
    await put('appspec.yml', 'version: 0.0\nos: linux\n')
    const controller = new AbortController()
    controller.abort()
    await expect(
      createBundle({ source: src, type: 'zip', outFile: outFile(), signal: controller.signal })
    ).rejects.toThrow()
    expect(await exists(outFile())).toBe(false)
  })
})

// What the agent does with the bundle: skipped off CI when the tool is missing (helpers/tools.ts).
describe('unpacked by the tools the agent uses', () => {
  let tree: string
  beforeAll(async () => {
    tree = await mkdtemp(path.join(tmpdir(), 'bundle-tools-'))
  })
  afterAll(async () => {
    await rm(tree, { recursive: true, force: true })
  })

  async function checkUnpacked(dest: string): Promise<void> {
    expect((await stat(path.join(dest, 'scripts/stop.sh'))).mode & 0o777).toBe(0o755)
    expect((await stat(path.join(dest, 'bin/tool'))).mode & 0o777).toBe(0o750)
    expect((await lstat(path.join(dest, 'current'))).isSymbolicLink()).toBe(true)
    expect(await readlink(path.join(dest, 'site/latest.html'))).toBe('index.html')
    expect(await readFile(path.join(dest, 'current/index.html'), 'utf8')).toBe('<h1>hello</h1>\n')
    expect((await stat(path.join(dest, 'empty/nested'))).isDirectory()).toBe(true)
  }

  ;(checksWith('unzip') ? it : it.skip)(
    'unzip restores modes, links and empty directories',
    async () => {
      await makeTree()
      const outFile = path.join(out, 'bundle.zip')
      await createBundle({ source: src, type: 'zip', outFile, executables: ['scripts/stop.sh'] })
      const { madeBy } = await readZip(outFile)
      expect([...madeBy]).toEqual([3]) // "made by" Unix, so unzip applies the modes
      const dest = path.join(tree, 'zip')
      execFileSync('unzip', ['-q', outFile, '-d', dest])
      await checkUnpacked(dest)
    }
  )

  ;(checksWith('tar') ? it : it.skip)(
    'tar restores modes, links and empty directories',
    async () => {
      await makeTree()
      const outFile = path.join(out, 'bundle.tgz')
      await createBundle({ source: src, type: 'tgz', outFile, executables: ['scripts/stop.sh'] })
      const dest = path.join(tree, 'tgz')
      await mkdir(dest)
      execFileSync('tar', ['-xzpf', outFile, '-C', dest])
      await checkUnpacked(dest)
    }
  )
})
