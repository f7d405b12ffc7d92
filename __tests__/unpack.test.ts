/**
 * The emulator's agent unpacks hostile bundles safely, with the CLI tools the real agent uses and
 * with its JavaScript unpackers: nothing lands outside the bundle directory, and the JavaScript
 * unpackers name the entry they refused.
 */
import { describe, expect, it } from '@jest/globals'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import yazl from 'yazl'
import { unpack, type BundleType } from '../local/emulator/unpack.js'

type Entry = { name: string; link?: string; content?: string }

async function zipOf(entries: Entry[], file: string): Promise<void> {
  const zip = new yazl.ZipFile()
  for (const e of entries) {
    if (e.link !== undefined)
      zip.addBuffer(Buffer.from(e.link), e.name, { mode: 0o120777, compress: false })
    else zip.addBuffer(Buffer.from(e.content ?? ''), e.name, { mode: 0o100644 })
  }
  zip.end()
  await pipeline(zip.outputStream, createWriteStream(file))
}

async function tgzOf(entries: Entry[], file: string): Promise<void> {
  const pack = tar.pack()
  for (const e of entries) {
    if (e.link !== undefined) pack.entry({ name: e.name, type: 'symlink', linkname: e.link })
    else pack.entry({ name: e.name, type: 'file' }, e.content ?? '')
  }
  pack.finalize()
  await pipeline(pack, createGzip(), createWriteStream(file))
}

/** Hostile archives; `{outside}` stands for a directory beside the bundle directory. */
const HOSTILE: Record<string, { entries: Entry[]; refused: RegExp }> = {
  'an absolute link, then a file through it': {
    entries: [
      { name: 'lnk', link: '{outside}' },
      { name: 'lnk/file', content: 'owned' }
    ],
    refused: /archive entry 'lnk\/file' would be written through the link 'lnk'/
  },
  'a relative link out, then a file through it': {
    entries: [
      { name: 'sub/lnk', link: '../../../outside' },
      { name: 'sub/lnk/file', content: 'owned' }
    ],
    refused: /archive entry 'sub\/lnk\/file' would be written through the link 'sub\/lnk'/
  },
  'a link, then a file over it': {
    entries: [
      { name: 'file', link: '{outside}/file' },
      { name: 'file', content: 'owned' }
    ],
    refused: /archive entry 'file' would be written over the link 'file'/
  }
}

async function attempt(
  type: BundleType,
  entries: Entry[],
  useCli: boolean
): Promise<{ error?: Error; outside: string[] }> {
  const work = await mkdtemp(path.join(tmpdir(), 'cdb-unpack-'))
  const outside = path.join(work, 'outside')
  const dest = path.join(work, 'bundle', 'archive')
  await mkdir(outside)
  const named = entries.map(e =>
    e.link ? { ...e, link: e.link.replace('{outside}', outside) } : e
  )
  const archive = path.join(work, `hostile.${type}`)
  if (type === 'zip') await zipOf(named, archive)
  else await tgzOf(named, archive)
  let error: Error | undefined
  await unpack(archive, type, dest, { useCli }).catch((e: Error) => (error = e))
  return { ...(error ? { error } : {}), outside: await readdir(outside) }
}

describe.each<BundleType>(['zip', 'tgz'])('a hostile %s bundle', type => {
  it.each(Object.keys(HOSTILE))(
    '%s: the JavaScript unpacker refuses it, naming the entry',
    async name => {
      const { entries, refused } = HOSTILE[name]!
      const result = await attempt(type, entries, false)
      expect(result.outside).toEqual([])
      expect(result.error?.message).toMatch(refused)
    }
  )

  it.each(Object.keys(HOSTILE))('%s: the CLI tools write nothing outside', async name => {
    const result = await attempt(type, HOSTILE[name]!.entries, true)
    expect(result.outside).toEqual([])
  })
})

describe('a tar entry named with ..', () => {
  it.each([true, false])('writes nothing outside (CLI tools: %s)', async useCli => {
    const result = await attempt('tgz', [{ name: '../outside/escape.txt', content: 'x' }], useCli)
    expect(result.outside).toEqual([])
    if (!useCli) expect(result.error?.message).toMatch(/'..\/outside\/escape.txt' escapes/)
  })
})
