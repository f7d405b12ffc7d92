/**
 * The tree digest the re-run cache is keyed by: it changes with anything the bundle's bytes depend
 * on, and the writers' format version moves with their bytes.
 */
import { describe, expect, it } from '@jest/globals'
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createBundle, listEntries } from '../src/engine/revision/bundle/index.js'
import {
  FORMAT_VERSION,
  SETTLED_MS,
  treeDigest,
  treeShape,
  type TreeDigest
} from '../src/engine/revision/bundle/digest.js'
import type { BundleType } from '../src/engine/inputs/s3-location.js'
import { tempTree } from './helpers/revisions.js'

const TIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 6))

async function digestOf(
  dir: string,
  type: BundleType = 'zip',
  mtime: Date = TIME,
  listedAt?: number
): Promise<TreeDigest> {
  const { entries } = await listEntries(dir)
  // As if listed a while after the files were written, unless the test says otherwise.
  const digest = await treeDigest(entries, {
    type,
    mtime,
    listedAt: listedAt ?? Date.now() + SETTLED_MS + 1000
  })
  if (!digest) throw new Error('no digest')
  return digest
}

describe('the tree digest', () => {
  it('is the same for the same tree, and moves with content, mode, entries, time and type', async () => {
    const tree = {
      'appspec.yml': 'version: 0.0\nos: linux\n',
      'site/a.txt': 'alpha',
      'site/b.txt': 'bravo',
      'bin/run.sh': { content: 'echo hi\n', mode: 0o644 },
      'link-to-a': { link: 'site/a.txt' }
    }
    const dir = await tempTree(tree)
    const base = (await digestOf(dir)).digest
    expect((await digestOf(await tempTree(tree))).digest).toBe(base)
    expect((await digestOf(dir, 'tgz')).digest).not.toBe(base)
    expect((await digestOf(dir, 'zip', new Date(TIME.getTime() + 2000))).digest).not.toBe(base)

    const changes: [string, (root: string) => Promise<void>][] = [
      ['content, same size', root => writeFile(path.join(root, 'site/a.txt'), 'alphA')],
      // Bytes moved from one file to the next: the same concatenation, other sizes.
      [
        'a byte moved between files',
        async root => {
          await writeFile(path.join(root, 'site/a.txt'), 'alphab')
          await writeFile(path.join(root, 'site/b.txt'), 'ravo')
        }
      ],
      ['mode', root => chmod(path.join(root, 'bin/run.sh'), 0o755)],
      ['an empty directory', root => mkdir(path.join(root, 'empty'))],
      [
        'a link target',
        async root => {
          await rm(path.join(root, 'link-to-a'))
          await symlink('site/b.txt', path.join(root, 'link-to-a'))
        }
      ]
    ]
    for (const [what, change] of changes) {
      const other = await tempTree(tree)
      await change(other)
      expect([what, (await digestOf(other)).digest]).not.toEqual([what, base])
    }
  })

  it('does not vouch for files changed just before or after the listing began', async () => {
    const dir = await tempTree({ 'appspec.yml': 'version: 0.0\nos: linux\n', 'a.txt': 'one' })
    const listedAt = Date.now()
    expect((await digestOf(dir, 'zip', TIME, listedAt)).unchanged()).toBe(false)
    expect((await digestOf(dir, 'zip', TIME, listedAt + SETTLED_MS + 50)).unchanged()).toBe(true)
  })

  it('has a shape that moves with the entries but not with the contents', async () => {
    const tree = { 'appspec.yml': 'version: 0.0\nos: linux\n', 'a.txt': 'one' }
    const shapeOf = async (dir: string): Promise<string> =>
      treeShape((await listEntries(dir)).entries, { type: 'zip', mtime: TIME })
    const dir = await tempTree(tree)
    const same = await tempTree({ ...tree, 'a.txt': 'two' })
    const longer = await tempTree({ ...tree, 'a.txt': 'three' })
    expect(await shapeOf(same)).toBe(await shapeOf(dir))
    expect(await shapeOf(longer)).not.toBe(await shapeOf(dir))
    expect((await digestOf(same)).digest).not.toBe((await digestOf(dir)).digest)
  })

  it('tells when a file was written to after it was read', async () => {
    const dir = await tempTree({ 'appspec.yml': 'version: 0.0\nos: linux\n', 'a.txt': 'one' })
    const digest = await digestOf(dir)
    expect(digest.unchanged()).toBe(true)
    await new Promise(resolve => setTimeout(resolve, 20))
    await writeFile(path.join(dir, 'a.txt'), 'two')
    expect(digest.unchanged()).toBe(false)
  })
})

describe('the bundle writers’ format version', () => {
  // What the writers make of a tree that needs no deflate (empty files, directories, a link), so
  // the bytes do not depend on the zlib build. When a writer's bytes change, these change: bump
  // FORMAT_VERSION in src/engine/bundle/digest.ts (a re-run cache entry from the older writer must
  // not stand for the newer one's bundle), then record the new values here.
  const FINGERPRINTS: Record<number, Partial<Record<BundleType, string>>> = {
    1: {
      zip: 'f743aaf1ef132499977ebd703d9a4fda6c3a7483445470c93cd93e3ed3227c1d',
      tar: 'f72f7a4f7c9b11a377849f8b2b1a28988cc45d35df0061205ec38575d27440ec'
    },
    // Our own zip writer (worker threads) in place of yazl.
    2: {
      zip: '17e2d0fc3699d0dab40e9e216f77546a2fdead399804097377a7ebc98b7764f7',
      tar: 'f72f7a4f7c9b11a377849f8b2b1a28988cc45d35df0061205ec38575d27440ec'
    }
  }

  it.each(['zip', 'tar'] as const)('%s: the bytes are those FORMAT_VERSION names', async type => {
    const dir = await tempTree({
      'appspec.yml': '',
      'site/empty.txt': '',
      'site/run.sh': { content: '', mode: 0o755 },
      link: { link: 'site/empty.txt' }
    })
    await mkdir(path.join(dir, 'logs'))
    // Modes set here, whatever the umask.
    for (const [rel, mode] of [
      ['.', 0o755],
      ['logs', 0o755],
      ['site', 0o755],
      ['appspec.yml', 0o644],
      ['site/empty.txt', 0o644],
      ['site/run.sh', 0o755]
    ] as const)
      await chmod(path.join(dir, rel), mode)
    const bundle = await createBundle({ source: dir, type, outFile: `${dir}.${type}`, mtime: TIME })
    expect({ FORMAT_VERSION, sha256: bundle.sha256 }).toEqual({
      FORMAT_VERSION,
      sha256: FINGERPRINTS[FORMAT_VERSION]?.[type]
    })
  })
})
