/**
 * The tree `scripts/zip-figures.ts` packages: 20,000 files, ~317 MB, the same bytes on every
 * machine (seeded), generated once under the temp directory and reused.
 *  - 19,000 text files of 0.5–16 KiB: lines of code-like words, compressible like source code;
 *  - 1,000 binaries of 50–250 KiB: AES-CTR keystream, incompressible like images or archives.
 */
import { createCipheriv } from 'node:crypto'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'

const TEXT_FILES = 19_000
const BINARY_FILES = 1_000
const VERSION = 1

/** mulberry32: a small seeded generator, so the tree is the same everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = (
  'const let var function return if else for while import export from default class new this ' +
  'async await try catch throw value result error data config options items index name path ' +
  'request response server client handler render props state update create delete list get set ' +
  'user account session token cache store queue event message logger debug info warn timeout ' +
  'length map filter reduce push pop keys values entries string number boolean object array null ' +
  'undefined true false Promise resolve reject then module require process env buffer stream'
).split(' ')

function text(next: () => number, bytes: number): string {
  const lines: string[] = []
  let size = 0
  while (size < bytes) {
    const indent = '  '.repeat(Math.floor(next() * 4))
    const words: string[] = []
    const count = 3 + Math.floor(next() * 9)
    // Zipf-like: low indices far more often, as in real code.
    for (let i = 0; i < count; i++) words.push(WORDS[Math.floor(WORDS.length * next() ** 2.2)]!)
    if (next() < 0.3) words.push(String(Math.floor(next() * 100_000)))
    const line = `${indent}${words.join(' ')};\n`
    lines.push(line)
    size += line.length
  }
  return lines.join('').slice(0, bytes)
}

function noise(seed: number, bytes: number): Buffer {
  const key = Buffer.alloc(32)
  key.writeUInt32LE(seed)
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  return Buffer.concat([cipher.update(Buffer.alloc(bytes)), cipher.final()])
}

/** The tree's directory, made on first use; later calls return it at once. */
export async function figuresTree(): Promise<string> {
  const dir = path.join(tmpdir(), `cdb-zip-figures-v${VERSION}`)
  if (
    await stat(path.join(dir, 'appspec.yml')).then(
      () => true,
      () => false
    )
  )
    return dir
  const building = `${dir}.partial`
  await rm(building, { recursive: true, force: true })
  const next = random(42)
  for (let i = 0; i < TEXT_FILES; i++) {
    const sub = path.join(building, 'src', `pkg${i % 40}`, `mod${Math.floor(i / 40) % 25}`)
    if (i < 1000) await mkdir(sub, { recursive: true })
    const bytes = 512 + Math.floor(next() * (16 * 1024 - 512))
    await writeFile(path.join(sub, `file${i}.js`), text(next, bytes))
  }
  await mkdir(path.join(building, 'assets'), { recursive: true })
  for (let i = 0; i < BINARY_FILES; i++) {
    const bytes = 50 * 1024 + Math.floor(next() * 200 * 1024)
    await writeFile(path.join(building, 'assets', `blob${i}.bin`), noise(i, bytes))
  }
  await writeFile(path.join(building, 'appspec.yml'), 'version: 0.0\nos: linux\n')
  await rename(building, dir)
  return dir
}

/** 300 files of 4 MiB, half text and half noise: 1.2 GB of big files, made once and reused. */
export async function bigTree(): Promise<string> {
  const dir = path.join(tmpdir(), `cdb-zip-figures-big-v${VERSION}`)
  if (
    await stat(path.join(dir, 'appspec.yml')).then(
      () => true,
      () => false
    )
  )
    return dir
  const building = `${dir}.partial`
  await rm(building, { recursive: true, force: true })
  await mkdir(path.join(building, 'data'), { recursive: true })
  const next = random(7)
  for (let i = 0; i < 300; i++) {
    const bytes = 4 * 1024 * 1024
    const body = i % 2 ? noise(10_000 + i, bytes) : Buffer.from(text(next, bytes))
    await writeFile(path.join(building, 'data', `part${i}.${i % 2 ? 'bin' : 'txt'}`), body)
  }
  await writeFile(path.join(building, 'appspec.yml'), 'version: 0.0\nos: linux\n')
  await rename(building, dir)
  return dir
}
