/**
 * Test revisions: a tree written to a temp directory, packaged with the project's own bundler and
 * put in the local S3, so no test needs the zip/unzip/aws CLIs.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createBundle, type BundleType } from '../../src/engine/revision/bundle/index.js'
import { S3_CREDENTIALS } from '../../local/s3.js'

export type TreeEntry = string | { content: string; mode?: number } | { link: string }
export type Tree = Record<string, TreeEntry>

export async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [rel, entry] of Object.entries(tree)) {
    const file = path.join(dir, rel)
    await mkdir(path.dirname(file), { recursive: true })
    if (typeof entry === 'string') await writeFile(file, entry)
    else if ('link' in entry) await symlink(entry.link, file)
    else {
      await writeFile(file, entry.content)
      if (entry.mode !== undefined) await chmod(file, entry.mode)
    }
  }
}

export async function tempTree(tree: Tree): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cdb-tree-'))
  await writeTree(dir, tree)
  return dir
}

/** An appspec with one script per named hook, copying `site/` to `destination`. */
export function appspec(
  hooks: Record<string, { location: string; timeout?: number }[]>,
  destination = '/srv/app'
): string {
  const lines = [
    'version: 0.0',
    'os: linux',
    'files:',
    '  - source: site',
    `    destination: ${destination}`,
    'hooks:'
  ]
  for (const [name, scripts] of Object.entries(hooks)) {
    lines.push(`  ${name}:`)
    for (const s of scripts) {
      lines.push(`    - location: ${s.location}`)
      if (s.timeout) lines.push(`      timeout: ${s.timeout}`)
    }
  }
  return `${lines.join('\n')}\n`
}

export const script = (body: string): { content: string; mode: number } => ({
  content: `#!/bin/sh\n${body}\n`,
  mode: 0o755
})

export interface PutRevision {
  bucket: string
  key: string
  bundleType: BundleType
  eTag: string
}

/**
 * A release of a small site: `site/version.txt` holds `version`, copied to /srv/app, and a
 * ValidateService hook runs `validate` (a shell snippet).
 */
export function release(version: string, validate = 'true'): Tree {
  return {
    'appspec.yml': appspec({
      ValidateService: [{ location: 'scripts/validate.sh', timeout: 120 }]
    }),
    'site/version.txt': version,
    'scripts/validate.sh': script(validate)
  }
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS
  })
}

/** Packages `tree` and stores it at `bucket/key`; returns the S3 location for CreateDeployment. */
export async function putRevision(
  client: S3Client,
  bucket: string,
  key: string,
  tree: Tree,
  bundleType: BundleType = 'zip'
): Promise<PutRevision> {
  const dir = await tempTree(tree)
  const out = path.join(dir, '..', `${path.basename(dir)}.${bundleType}`)
  try {
    await createBundle({ source: dir, type: bundleType, outFile: out })
    const body = await readFile(out)
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
    return { bucket, key, bundleType, eTag: (put.ETag ?? '').replace(/"/g, '') }
  } finally {
    await rm(dir, { recursive: true, force: true })
    await rm(out, { force: true })
  }
}
