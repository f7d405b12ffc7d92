/**
 * Decoder for the `aws-chunked` content encoding the AWS SDKs use to stream a body of unknown
 * length with a trailing checksum:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n
 *   <trailer-name>:<value>\r\n ... \r\n
 *
 * s3rver stores such bodies verbatim (framing included); the local S3 front decodes them here.
 */
import { Transform, type TransformCallback } from 'node:stream'

export class ChunkedEncodingError extends Error {
  override name = 'ChunkedEncodingError'
}

type State = 'header' | 'data' | 'data-end' | 'trailer' | 'done'

const MAX_LINE = 8192

export class AwsChunkedDecoder extends Transform {
  /** Trailing headers (lower-case names) once the stream has ended. */
  readonly trailers = new Map<string, string>()
  private state: State = 'header'
  private pending: Buffer = Buffer.alloc(0)
  private remaining = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    try {
      this.consume()
      done()
    } catch (error) {
      done(error as Error)
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.state !== 'done' || this.pending.length > 0) {
      done(new ChunkedEncodingError('aws-chunked body ended before its final chunk'))
      return
    }
    done()
  }

  private consume(): void {
    for (;;) {
      if (this.state === 'data') {
        if (this.pending.length === 0) return
        const take = Math.min(this.remaining, this.pending.length)
        this.push(this.pending.subarray(0, take))
        this.pending = this.pending.subarray(take)
        this.remaining -= take
        if (this.remaining === 0) this.state = 'data-end'
        continue
      }
      if (this.state === 'done') {
        if (this.pending.length > 0) throw new ChunkedEncodingError('bytes after the final chunk')
        return
      }
      const line = this.takeLine()
      if (line === undefined) return
      if (this.state === 'data-end') {
        if (line !== '') throw new ChunkedEncodingError('chunk data longer than its declared size')
        this.state = 'header'
      } else if (this.state === 'header') {
        const size = Number.parseInt(line.split(';', 1)[0] ?? '', 16)
        if (!Number.isSafeInteger(size) || size < 0) {
          throw new ChunkedEncodingError(`invalid chunk header '${line.slice(0, 80)}'`)
        }
        if (size === 0) this.state = 'trailer'
        else {
          this.remaining = size
          this.state = 'data'
        }
      } else if (line === '') {
        this.state = 'done'
      } else {
        const colon = line.indexOf(':')
        if (colon <= 0) throw new ChunkedEncodingError(`invalid trailer '${line.slice(0, 80)}'`)
        this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
      }
    }
  }

  private takeLine(): string | undefined {
    const end = this.pending.indexOf('\r\n')
    if (end < 0) {
      if (this.pending.length > MAX_LINE) throw new ChunkedEncodingError('chunk header too long')
      return undefined
    }
    const line = this.pending.subarray(0, end).toString('latin1')
    this.pending = this.pending.subarray(end + 2)
    return line
  }
}
