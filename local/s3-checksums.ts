/**
 * The SHA-256 checksums the local S3 keeps with its objects, as real S3 does: a single PUT sent
 * with `x-amz-checksum-sha256` keeps that value (type FULL_OBJECT); a multipart upload created
 * with algorithm SHA256 keeps each part's checksum and, when completed, the composite
 * `base64(sha256(part digests…))-<parts>` (type COMPOSITE). HeadObject and GetObject return them
 * with `x-amz-checksum-mode: ENABLED`. s3rver knows nothing of checksums, so the front keeps them
 * here, in memory, for the life of the server.
 */
import { createHash } from 'node:crypto'

interface Stored {
  value: string
  type: 'FULL_OBJECT' | 'COMPOSITE'
}

export class ChecksumStore {
  private readonly objects = new Map<string, Stored>()
  /** Upload id → part number → base64 SHA-256, for uploads created with algorithm SHA256. */
  private readonly uploads = new Map<string, Map<number, string>>()

  /** A single PUT replaced the object: keep its verified SHA-256, or forget the old one. */
  put(bucket: string, key: string, sha256: string | undefined): void {
    if (sha256) this.objects.set(`${bucket}/${key}`, { value: sha256, type: 'FULL_OBJECT' })
    else this.objects.delete(`${bucket}/${key}`)
  }

  delete(bucket: string, key: string): void {
    this.objects.delete(`${bucket}/${key}`)
  }

  /** CreateMultipartUpload answered `uploadId`; `algorithm` is its x-amz-checksum-algorithm. */
  created(uploadId: string, algorithm: string | undefined): void {
    if (algorithm?.toUpperCase() === 'SHA256') this.uploads.set(uploadId, new Map())
  }

  /**
   * UploadPart verified a part. Returns the SHA-256 to send back, or an error message when the
   * upload wants SHA-256 checksums and the part came without one.
   */
  part(
    uploadId: string,
    partNumber: number,
    sha256: string | undefined
  ): { sha256?: string; error?: string } {
    const parts = this.uploads.get(uploadId)
    if (!parts) return sha256 ? { sha256 } : {}
    if (!sha256) return { error: `Part ${partNumber} was sent without its SHA256 checksum.` }
    parts.set(partNumber, sha256)
    return { sha256 }
  }

  /**
   * Checks the CompleteMultipartUpload body against the parts' checksums; returns an error
   * message, or the composite checksum to keep once the upload completes.
   */
  complete(uploadId: string, body: string): { composite?: string; error?: string } {
    const parts = this.uploads.get(uploadId)
    if (!parts) return {}
    const listed = [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part = '']) => ({
      number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part)?.[1]),
      sha256: /<ChecksumSHA256>([^<]+)<\/ChecksumSHA256>/.exec(part)?.[1]
    }))
    const digests: Buffer[] = []
    for (const { number, sha256 } of listed) {
      const stored = parts.get(number)
      if (!stored || stored !== sha256) {
        return {
          error: `Part ${number} is missing or its ChecksumSHA256 (${sha256 ?? 'none'}) is not the one it was uploaded with.`
        }
      }
      digests.push(Buffer.from(stored, 'base64'))
    }
    const composite = createHash('sha256').update(Buffer.concat(digests)).digest('base64')
    return { composite: `${composite}-${digests.length}` }
  }

  /** The upload completed (or was aborted): keep its composite checksum for the object. */
  finish(uploadId: string, bucket: string, key: string, composite: string | undefined): void {
    this.uploads.delete(uploadId)
    if (composite) this.objects.set(`${bucket}/${key}`, { value: composite, type: 'COMPOSITE' })
    else this.objects.delete(`${bucket}/${key}`)
  }

  abort(uploadId: string): void {
    this.uploads.delete(uploadId)
  }

  /** Response headers for HeadObject / GetObject in checksum mode. */
  headers(bucket: string, key: string): Record<string, string> {
    const stored = this.objects.get(`${bucket}/${key}`)
    if (!stored) return {}
    return { 'x-amz-checksum-sha256': stored.value, 'x-amz-checksum-type': stored.type }
  }
}
