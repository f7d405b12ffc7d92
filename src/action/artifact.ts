/**
 * The `artifact-name` input: the bundle, exactly as uploaded to S3, also kept as a workflow
 * artifact, so the run shows what it deployed and the file can be downloaded or audited later.
 * The artifact client (with its Azure storage and archive libraries, a large share of dist/) is
 * loaded only by a run that asks for it, so other runs start without reading it.
 */
import { copyFile, link, mkdtemp } from 'node:fs/promises'
import path from 'node:path'
import type { BundleResult } from '../engine/revision/bundle/index.js'
import type { Reporter } from '../engine/reporter.js'
import { bundleExtension } from '../engine/inputs/s3-location.js'

export async function uploadBundleArtifact(
  name: string,
  bundle: BundleResult,
  reporter: Reporter,
  tempDir: string
): Promise<string | undefined> {
  // Inside the artifact the file has the S3 object's name (<sha256>.<ext>), to match it to the revision.
  const dir = await mkdtemp(path.join(tempDir, 'artifact-'))
  const file = path.join(dir, `${bundle.sha256}.${bundleExtension(bundle.type)}`)
  await link(bundle.path, file).catch(() => copyFile(bundle.path, file))
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const client = new DefaultArtifactClient()
  // zip and tgz bundles are compressed already: a second pass would only cost time.
  const result = await client.uploadArtifact(name, [file], dir, {
    compressionLevel: bundle.type === 'tar' ? 6 : 0
  })
  reporter.info(
    `Workflow artifact '${name}'${result.id !== undefined ? ` (id ${result.id})` : ''} holds ${path.basename(file)}, ${bundle.size} bytes.`
  )
  return result.id !== undefined ? String(result.id) : undefined
}
