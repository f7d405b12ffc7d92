/**
 * Unpacks a bundle the way the CodeDeploy agent does: with Info-ZIP `unzip` or `tar` when the
 * machine has them, otherwise in JavaScript, keeping Unix modes, symlinks and times either way.
 * The JavaScript unpackers refuse, naming the entry, anything that would land outside the bundle
 * directory: a name with `..` or a leading `/`, and an entry written through (or over) a link the
 * archive made earlier, such as `lnk -> /outside` followed by `lnk/file`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { chmod, lstat, mkdir, symlink, utimes } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import tar from 'tar-stream'
import yauzl from 'yauzl'

export type BundleType = 'zip' | 'tar' | 'tgz'

const available = new Map<string, boolean>()

function has(tool: string, versionFlag: string): boolean {
  let found = available.get(tool)
  if (found === undefined) {
    found = spawnSync(tool, [versionFlag], { stdio: 'ignore' }).status === 0
    available.set(tool, found)
  }
  return found
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', code =>
      code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.trim()}`))
    )
  })
}

/**
 * `dest/name`, refusing names that would land outside `dest`, and paths that pass through a link
 * (or end on one): `dest` is fresh, so any link on the way was made by this archive.
 */
async function inside(dest: string, name: string): Promise<string> {
  const target = path.resolve(dest, name)
  if (target !== dest && !target.startsWith(dest + path.sep))
    throw new Error(`archive entry '${name}' escapes the bundle directory`)
  const parts = path.relative(dest, target).split(path.sep)
  for (let i = 1; i <= parts.length; i++) {
    const step = path.join(dest, ...parts.slice(0, i))
    const info = await lstat(step).catch(() => undefined)
    if (!info) break
    if (info.isSymbolicLink()) {
      throw new Error(
        `archive entry '${name}' would be written ${i === parts.length ? 'over' : 'through'} the link '${parts.slice(0, i).join('/')}' an earlier entry made`
      )
    }
  }
  return target
}

/** Runs one entry's step; a failure names the entry. */
async function entryStep(name: string, step: () => Promise<void>): Promise<void> {
  try {
    await step()
  } catch (error) {
    const message = (error as Error).message
    throw new Error(message.includes(`'${name}'`) ? message : `archive entry '${name}': ${message}`)
  }
}

async function unzipJs(archive: string, dest: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(archive, { lazyEntries: true, autoClose: true }, (err, file) =>
      err ? reject(err) : resolve(file)
    )
  )
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject)
    zip.on('end', resolve)
    zip.on('entry', (entry: yauzl.Entry) => {
      const handle = async (): Promise<void> => {
        const target = await inside(dest, entry.fileName)
        const mode = (entry.externalFileAttributes >>> 16) & 0xffff
        const type = mode & 0o170000
        if (entry.fileName.endsWith('/') || type === 0o040000) {
          await mkdir(target, { recursive: true })
          if (mode & 0o777) await chmod(target, mode & 0o7777)
          return
        }
        await mkdir(path.dirname(target), { recursive: true })
        const stream = await new Promise<Readable>((res, rej) =>
          zip.openReadStream(entry, (err, s) => (err ? rej(err) : res(s)))
        )
        if (type === 0o120000) {
          const chunks: Buffer[] = []
          for await (const chunk of stream) chunks.push(chunk as Buffer)
          await symlink(Buffer.concat(chunks).toString(), target)
          return
        }
        await pipeline(stream, createWriteStream(target))
        await chmod(target, mode & 0o7777 || 0o644)
        // As unzip does: the DOS time, read as local time.
        await utimes(target, entry.getLastModDate(), entry.getLastModDate())
      }
      entryStep(entry.fileName, handle).then(() => zip.readEntry(), reject)
    })
    zip.readEntry()
  })
}

async function untarJs(archive: string, dest: string, gzip: boolean): Promise<void> {
  const extract = tar.extract()
  extract.on('entry', (header, stream, next) => {
    const handle = async (): Promise<void> => {
      const target = await inside(dest, header.name)
      if (header.type === 'directory') {
        await mkdir(target, { recursive: true })
        await chmod(target, header.mode ?? 0o755)
        stream.resume()
        return
      }
      await mkdir(path.dirname(target), { recursive: true })
      if (header.type === 'symlink') {
        await symlink(header.linkname ?? '', target)
        stream.resume()
        return
      }
      await pipeline(stream, createWriteStream(target))
      await chmod(target, header.mode ?? 0o644)
      if (header.mtime) await utimes(target, header.mtime, header.mtime)
    }
    entryStep(header.name, handle).then(
      () => next(),
      (error: unknown) => extract.destroy(error as Error)
    )
  })
  const source = createReadStream(archive)
  if (gzip) await pipeline(source, createGunzip(), extract)
  else await pipeline(source, extract)
}

export async function unpack(
  archive: string,
  type: BundleType,
  dest: string,
  options: { useCli?: boolean } = {}
): Promise<void> {
  await mkdir(dest, { recursive: true })
  const useCli = options.useCli ?? true
  if (type === 'zip') {
    if (useCli && has('unzip', '-v')) return run('unzip', ['-q', '-o', archive, '-d', dest])
    return unzipJs(archive, dest)
  }
  if (useCli && has('tar', '--version'))
    return run('tar', [type === 'tgz' ? '-xzf' : '-xf', archive, '-C', dest])
  return untarJs(archive, dest, type === 'tgz')
}
