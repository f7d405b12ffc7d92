/**
 * Checksums S3 accepts in `x-amz-checksum-*` headers and aws-chunked trailers, computed
 * incrementally so a body can be verified while it streams past.
 */
import { createHash, type Hash } from 'node:crypto'
import { crc32 } from 'node:zlib'

export interface RunningChecksum {
  update(chunk: Buffer): void
  /** Base64 of the big-endian digest, the form S3 uses on the wire. */
  digest(): string
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32cUpdate(crc: number, chunk: Buffer): number {
  let c = ~crc >>> 0
  for (const byte of chunk) c = (CRC32C_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return ~c >>> 0
}

function uint32Base64(value: number): string {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value >>> 0)
  return out.toString('base64')
}

function fromHash(hash: Hash): RunningChecksum {
  return { update: chunk => hash.update(chunk), digest: () => hash.digest('base64') }
}

/** The algorithms this local S3 can verify, by their header suffix (`x-amz-checksum-<name>`). */
export const CHECKSUM_ALGORITHMS: Record<string, () => RunningChecksum> = {
  crc32: () => {
    let value = 0
    return { update: chunk => (value = crc32(chunk, value)), digest: () => uint32Base64(value) }
  },
  crc32c: () => {
    let value = 0
    return {
      update: chunk => (value = crc32cUpdate(value, chunk)),
      digest: () => uint32Base64(value)
    }
  },
  sha1: () => fromHash(createHash('sha1')),
  sha256: () => fromHash(createHash('sha256'))
}
