/**
 * Object tags for the local S3: s3rver keeps an object's tag set (GET and PUT `?tagging`) but
 * ignores the `x-amz-tagging` header of PutObject and CreateMultipartUpload. The front checks that
 * header as S3 does (at most 10 tags, keys up to 128 and values up to 256 characters, no key
 * twice) and, once the object is stored, writes its tag set through s3rver's own `?tagging`: a
 * new object has exactly the tags it was written with, as in S3.
 */
import http from 'node:http'

export interface ObjectTag {
  key: string
  value: string
}

/** The tags of an `x-amz-tagging` header, or S3's InvalidTag message. */
export function parseTagging(
  header: string | string[] | undefined
): ObjectTag[] | { error: string } {
  if (header === undefined) return []
  const text = Array.isArray(header) ? header.join('&') : header
  const tags: ObjectTag[] = []
  for (const pair of text.split('&')) {
    if (!pair) continue
    const at = pair.indexOf('=')
    const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '))
    tags.push(
      at < 0
        ? { key: decode(pair), value: '' }
        : { key: decode(pair.slice(0, at)), value: decode(pair.slice(at + 1)) }
    )
  }
  if (tags.length > 10) return { error: 'Object tags cannot be greater than 10' }
  const keys = new Set<string>()
  for (const { key, value } of tags) {
    if (!key || [...key].length > 128) return { error: 'The TagKey you have provided is invalid' }
    if ([...value].length > 256) return { error: 'The TagValue you have provided is invalid' }
    if (keys.has(key)) return { error: 'Cannot provide multiple Tags with the same key' }
    keys.add(key)
  }
  return tags
}

const xml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Sets the object's tag set in s3rver (unsigned: s3rver takes anonymous requests). */
export function writeTags(
  backend: { address: string; port: number },
  objectPath: string,
  tags: readonly ObjectTag[]
): Promise<void> {
  const body = `<Tagging><TagSet>${tags
    .map(t => `<Tag><Key>${xml(t.key)}</Key><Value>${xml(t.value)}</Value></Tag>`)
    .join('')}</TagSet></Tagging>`
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: backend.address,
        port: backend.port,
        method: 'PUT',
        path: `${objectPath}?tagging`,
        headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }
      },
      response => {
        response.resume()
        response.on('end', () =>
          (response.statusCode ?? 500) < 300
            ? resolve()
            : reject(new Error(`s3rver refused the tags of ${objectPath}: ${response.statusCode}`))
        )
      }
    )
    request.on('error', reject)
    request.end(body)
  })
}
