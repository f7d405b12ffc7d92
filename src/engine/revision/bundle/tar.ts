/**
 * Writes the entries as a tar stream (gzipped by the caller for tgz): one entry at a time, owner
 * 0 and no user names, every entry at the same mtime.
 */
import type { Readable } from 'node:stream'
import tar, { type Header } from 'tar-stream'
import type { BundleEntry } from './entries.js'
import { open, type Progress } from './read.js'

export function tarArchive(entries: BundleEntry[], mtime: Date, progress: Progress): Readable {
  const pack = tar.pack()
  const base = { mtime, uid: 0, gid: 0, uname: '', gname: '' }
  const add = (
    header: Partial<Header> & { name: string },
    entry?: Extract<BundleEntry, { kind: 'file' }>
  ): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve())
      // An empty file still needs its (empty) body written; directories and links carry none.
      const sink =
        header.type === 'file' && !entry
          ? pack.entry({ ...base, ...header }, Buffer.alloc(0), done)
          : pack.entry({ ...base, ...header }, done)
      // Destroying the pack (abort, failure) errors the current sink; the callback reports it.
      sink.on('error', reject)
      if (!entry) return
      const input = open(entry, progress)
      input.on('error', error => {
        sink.destroy(error)
        reject(error)
      })
      input.pipe(sink)
    })
  const write = async (): Promise<void> => {
    for (const entry of entries) {
      if (pack.destroyed) return
      if (entry.kind === 'dir') {
        await add({ name: `${entry.rel}/`, type: 'directory', mode: entry.mode })
      } else if (entry.kind === 'link') {
        await add({ name: entry.rel, type: 'symlink', linkname: entry.target, mode: 0o777 })
      } else {
        await add(
          { name: entry.rel, type: 'file', mode: entry.mode, size: entry.size },
          entry.size > 0 ? entry : undefined
        )
      }
    }
    pack.finalize()
  }
  write().catch((error: unknown) =>
    pack.destroy(error instanceof Error ? error : new Error(String(error)))
  )
  return pack as unknown as Readable
}
