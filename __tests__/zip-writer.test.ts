/**
 * The zip writer on its own: the same bytes whatever the number of workers, stored or deflated by
 * content, big files in chunks, a file that changes under it, and the Zip64 records.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createCipheriv, createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { crc32 } from 'node:zlib'
import yauzl from 'yauzl'
import { createBundle, listEntries, type BundleEntry } from '../src/engine/revision/bundle/index.js'
import { translate, type Progress } from '../src/engine/revision/bundle/read.js'
import { writeZip } from '../src/engine/revision/bundle/zip.js'
import {
  centralHeader,
  crc32Combine,
  dataDescriptor,
  endRecords,
  localHeader,
  S_IFREG,
  type ZipEntry
} from '../src/engine/revision/bundle/zip-format.js'
import { checksWith } from './helpers/tools.js'

const hasUnzip = checksWith('unzip')

/** Bytes that do not compress, the same on every run. */
function noise(bytes: number, seed = 1): Buffer {
  const cipher = createCipheriv('aes-256-ctr', Buffer.alloc(32, seed), Buffer.alloc(16))
  return cipher.update(Buffer.alloc(bytes))
}

function text(bytes: number): Buffer {
  const lines: string[] = []
  for (let i = 0; lines.length * 40 < bytes; i++)
    lines.push(`line ${i}: value=${(i * 7919) % 1000}\n`)
  return Buffer.from(lines.join('')).subarray(0, bytes)
}

interface Read {
  method: number
  flags: number
  compressed: number
  body: Buffer
}

async function readAll(file: string): Promise<Map<string, Read>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true })
  const entries = new Map<string, Read>()
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', () => resolve())
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error)
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('error', reject)
        stream.on('end', () => {
          entries.set(entry.fileName, {
            method: entry.compressionMethod,
            flags: entry.generalPurposeBitFlag,
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
  return entries
}

let work: string
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'zip-writer-'))
})
afterEach(async () => {
  await rm(work, { recursive: true, force: true })
})

/** A tree that takes every path of the writer: batches, chunks, stored and deflated. */
async function mixedTree(): Promise<{ dir: string; files: Map<string, Buffer> }> {
  const dir = path.join(work, 'src')
  const files = new Map<string, Buffer>([
    ['appspec.yml', Buffer.from('version: 0.0\nos: linux\n')],
    ['big/text.log', text(3 * 1024 * 1024 + 12_345)], // chunked, deflated
    ['big/noise.bin', noise(2 * 1024 * 1024 + 7)], // chunked, stored
    ['small/noise.bin', noise(10_000, 2)], // whole: deflating does not pay
    ['small/sampled.bin', noise(100_000, 3)] // whole, sampled
  ])
  for (let i = 0; i < 600; i++) files.set(`many/${i}.txt`, text(500 + ((i * 997) % 9000)))
  for (const [rel, body] of files) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), body)
  }
  return { dir, files }
}

async function zipWith(entries: BundleEntry[], workers: number): Promise<Buffer> {
  const parts: Buffer[] = []
  await writeZip(entries, new Date(Date.UTC(2024, 0, 2, 3, 4, 6)), {
    progress: {},
    workers,
    write: bytes => {
      parts.push(Buffer.from(bytes)) // a copy: the writer reuses its buffers
      return Promise.resolve()
    }
  })
  return Buffer.concat(parts)
}

describe('zip writer', () => {
  it('writes the same bytes whatever the number of workers, and the same content back', async () => {
    const { dir, files } = await mixedTree()
    const { entries } = await listEntries(dir)
    const one = await zipWith(entries, 1)
    const three = await zipWith(entries, 3)
    expect(createHash('sha256').update(three).digest('hex')).toBe(
      createHash('sha256').update(one).digest('hex')
    )
    const file = path.join(work, 'mixed.zip')
    await writeFile(file, one)
    const read = await readAll(file)
    for (const [rel, body] of files) expect(read.get(rel)?.body.equals(body)).toBe(true)
    if (hasUnzip) execFileSync('unzip', ['-tq', file])
  })

  it('stores what does not shrink and deflates the rest, big files in chunks', async () => {
    const { dir } = await mixedTree()
    const bundle = await createBundle({
      source: dir,
      type: 'zip',
      outFile: path.join(work, 'b.zip')
    })
    const entries = await readAll(bundle.path)
    const get = (rel: string): Read => entries.get(rel)!
    // chunked: CRC and sizes in a data descriptor (flag bit 3)
    expect(get('big/text.log')).toMatchObject({ method: 8, flags: 0x0808 })
    expect(get('big/text.log').compressed).toBeLessThan(get('big/text.log').body.length / 4)
    expect(get('big/noise.bin')).toMatchObject({ method: 0, flags: 0x0808 })
    expect(get('small/noise.bin')).toMatchObject({ method: 0, flags: 0x0800, compressed: 10_000 })
    expect(get('small/sampled.bin')).toMatchObject({ method: 0, compressed: 100_000 })
    expect(get('many/7.txt')).toMatchObject({ method: 8, flags: 0x0800 })
    const again = await createBundle({
      source: dir,
      type: 'zip',
      outFile: path.join(work, 'c.zip')
    })
    expect(again.sha256).toBe(bundle.sha256)
  })

  it('names a file that changed size since it was listed', async () => {
    const file = path.join(work, 'app.js')
    await writeFile(file, 'short now\n')
    const entries: BundleEntry[] = [
      { kind: 'file', rel: 'app.js', abs: file, mode: 0o644, size: 5000 }
    ]
    const progress: Progress = {}
    const run = writeZip(entries, new Date(), { progress, write: () => Promise.resolve() })
    const error = await run.catch((e: unknown) => e)
    expect(progress.rel).toBe('app.js')
    expect(String(translate(error, progress, 'src'))).toMatch(
      /app\.js in src changed while it was being packaged/
    )
  })

  it('names a file that vanished since it was listed', async () => {
    const abs = path.join(work, 'gone.js')
    const entries: BundleEntry[] = [{ kind: 'file', rel: 'gone.js', abs, mode: 0o644, size: 10 }]
    const progress: Progress = {}
    const error = await writeZip(entries, new Date(), {
      progress,
      write: () => Promise.resolve()
    }).catch((e: unknown) => e)
    expect(String(translate(error, progress, 'src'))).toMatch(
      /gone\.js in src changed while it was being packaged/
    )
  })

  // root reads whatever the mode says
  ;(process.getuid?.() === 0 || process.platform === 'win32' ? it.skip : it)(
    'names a file it may not read',
    async () => {
      const abs = path.join(work, 'secret.key')
      await writeFile(abs, 'x', { mode: 0o000 })
      const entries: BundleEntry[] = [{ kind: 'file', rel: 'secret.key', abs, mode: 0, size: 1 }]
      const progress: Progress = {}
      const error = await writeZip(entries, new Date(), {
        progress,
        write: () => Promise.resolve()
      }).catch((e: unknown) => e)
      expect(String(translate(error, progress, 'src'))).toMatch(
        /Cannot read secret\.key in src \(permission denied\)/
      )
    }
  )

  it('writes a Zip64 end record past 65,535 entries, which readers accept', async () => {
    const entries: BundleEntry[] = []
    for (let i = 0; i < 70_000; i++) entries.push({ kind: 'dir', rel: `d${i}`, mode: 0o755 })
    const file = path.join(work, 'many.zip')
    await writeFile(file, await zipWith(entries, 1))
    const zip = await yauzl.openPromise(file, { lazyEntries: true })
    expect(zip.entryCount).toBe(70_000)
    zip.close()
    if (hasUnzip) execFileSync('unzip', ['-tq', file])
  })
})

describe('zip records', () => {
  const when = { time: 0x1234, date: 0x5678 }
  const base: ZipEntry = {
    name: Buffer.from('data.bin'),
    method: 8,
    crc: 0xdeadbeef,
    compressedSize: 100,
    size: 200,
    offset: 0,
    mode: S_IFREG | 0o644,
    descriptor: false,
    zip64: false
  }

  it('combines CRCs as if the bytes were one', () => {
    const a = text(1000)
    const b = noise(1024 * 1024 + 3)
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])))
    expect(crc32Combine(0, crc32(b), b.length)).toBe(crc32(b))
    expect(crc32Combine(crc32(a), 0, 0)).toBe(crc32(a))
  })

  it('keeps small entries in 32-bit fields, made by Unix with the mode', () => {
    const header = centralHeader(base, when)
    expect(header.length).toBe(46 + 8)
    expect(header.readUInt16LE(4) >> 8).toBe(3) // Unix
    expect(header.readUInt16LE(6)).toBe(20)
    expect(header.readUInt32LE(20)).toBe(100)
    expect(header.readUInt32LE(24)).toBe(200)
    expect(header.readUInt32LE(38) >>> 16).toBe(0o100644)
    expect(endRecords(3, 100, 1000).length).toBe(22)
  })

  it('moves an offset past 4 GiB to the Zip64 field', () => {
    const header = centralHeader({ ...base, offset: 5 * 2 ** 30 }, when)
    expect(header.readUInt16LE(6)).toBe(45)
    expect(header.readUInt32LE(20)).toBe(100) // sizes still fit
    expect(header.readUInt32LE(42)).toBe(0xffffffff)
    const extra = header.subarray(46 + 8)
    expect(extra.readUInt16LE(0)).toBe(1)
    expect(extra.readUInt16LE(2)).toBe(8)
    expect(Number(extra.readBigUInt64LE(4))).toBe(5 * 2 ** 30)
  })

  it('gives a streamed Zip64 entry 8-byte sizes in its descriptor and central header', () => {
    const entry = { ...base, descriptor: true, zip64: true, size: 5e9, compressedSize: 4.5e9 }
    const local = localHeader(entry, when)
    expect(local.readUInt16LE(4)).toBe(45)
    expect(local.readUInt16LE(6)).toBe(0x0808)
    expect(local.readUInt32LE(18)).toBe(0xffffffff)
    expect(local.readUInt16LE(30 + 8)).toBe(1) // Zip64 extra field
    const descriptor = dataDescriptor(entry)
    expect(descriptor.length).toBe(24)
    expect(Number(descriptor.readBigUInt64LE(8))).toBe(4.5e9)
    expect(Number(descriptor.readBigUInt64LE(16))).toBe(5e9)
    const central = centralHeader({ ...entry, offset: 6e9 }, when)
    const extra = central.subarray(46 + 8)
    expect(extra.readUInt16LE(2)).toBe(24) // size, compressed size, offset
    expect(Number(extra.readBigUInt64LE(4))).toBe(5e9)
    expect(Number(extra.readBigUInt64LE(12))).toBe(4.5e9)
    expect(Number(extra.readBigUInt64LE(20))).toBe(6e9)
  })

  it('adds the Zip64 end record and locator when the directory is past 4 GiB', () => {
    const end = endRecords(10, 500, 5e9)
    expect(end.length).toBe(56 + 20 + 22)
    expect(end.readUInt32LE(0)).toBe(0x06064b50)
    expect(Number(end.readBigUInt64LE(48))).toBe(5e9)
    expect(end.readUInt32LE(56)).toBe(0x07064b50)
    expect(Number(end.readBigUInt64LE(56 + 8))).toBe(5e9 + 500) // where the Zip64 record is
    const classic = end.subarray(76)
    expect(classic.readUInt32LE(0)).toBe(0x06054b50)
    expect(classic.readUInt16LE(10)).toBe(10)
    expect(classic.readUInt32LE(16)).toBe(0xffffffff)
  })
})

describe('zip bundles Info-ZIP accepts', () => {
  ;(hasUnzip ? it : it.skip)('unzip -t passes on a bundle with links and modes', async () => {
    const { dir } = await mixedTree()
    await writeFile(path.join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 })
    await symlink('run.sh', path.join(dir, 'start'))
    const bundle = await createBundle({
      source: dir,
      type: 'zip',
      outFile: path.join(work, 'u.zip')
    })
    const listing = execFileSync('unzip', ['-Z', bundle.path], { encoding: 'utf8' })
    expect(listing).toMatch(/^lrwxrwxrwx .* start$/m)
    expect(listing).toMatch(/^-rwxr-xr-x .* run\.sh$/m)
    execFileSync('unzip', ['-tq', bundle.path])
    expect((await readFile(bundle.path)).length).toBe(bundle.size)
  })
})
