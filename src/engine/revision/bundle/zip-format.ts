/**
 * The records of a zip archive (PKWARE APPNOTE 6.3): local headers, data descriptors, central
 * directory headers and the end records, Zip64 where a size, an offset or the entry count needs
 * it. Every entry is "made by" Unix with its mode in the high half of the external attributes, so
 * Info-ZIP unzip restores modes and links; names are UTF-8 (bit 11); times are DOS times.
 */

/** An entry as the central directory describes it. */
export interface ZipEntry {
  /** The name's UTF-8 bytes; directories end with `/`. */
  name: Buffer
  /** 0 stored, 8 deflated. */
  method: 0 | 8
  crc: number
  compressedSize: number
  size: number
  /** Where its local header starts. */
  offset: number
  /** st_mode with the file type: S_IFREG, S_IFDIR or S_IFLNK and the permission bits. */
  mode: number
  /** Whether CRC and sizes follow the data in a data descriptor rather than the local header. */
  descriptor: boolean
  /** Whether the local header carries a Zip64 field (sizes may reach 4 GiB). */
  zip64: boolean
}

export const S_IFREG = 0o100000
export const S_IFDIR = 0o040000
export const S_IFLNK = 0o120000

/** A value at or past this does not fit a 32-bit field and goes to the Zip64 extra field. */
const MAX32 = 0xffffffff
const MAX16 = 0xffff
/** Unix (3) in the high byte; 4.5, the version that knows Zip64, in the low one. */
const MADE_BY = (3 << 8) | 45
const UTF8 = 0x0800
const DESCRIPTOR = 0x0008
const ZIP64_ID = 0x0001

/** Streamed files at least this big get a Zip64 local header: deflate may grow them past 4 GiB. */
export const ZIP64_STREAMED = 0xff000000

const EARLIEST = Date.UTC(1980, 0, 1)
const LATEST = Date.UTC(2107, 11, 31, 23, 59, 58)

/** The DOS time and date of `time`'s UTC fields (DOS time has no zone), within 1980–2107. */
export function dosDateTime(time: Date): { time: number; date: number } {
  const t = new Date(Math.min(Math.max(time.getTime(), EARLIEST), LATEST))
  return {
    time: (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1),
    date: ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate()
  }
}

function needed(zip64: boolean): number {
  return zip64 ? 45 : 20
}

export function localHeader(entry: ZipEntry, when: { time: number; date: number }): Buffer {
  const extra = entry.zip64 ? 20 : 0
  const header = Buffer.alloc(30 + entry.name.length + extra)
  header.writeUInt32LE(0x04034b50, 0)
  header.writeUInt16LE(needed(entry.zip64), 4)
  header.writeUInt16LE(UTF8 | (entry.descriptor ? DESCRIPTOR : 0), 6)
  header.writeUInt16LE(entry.method, 8)
  header.writeUInt16LE(when.time, 10)
  header.writeUInt16LE(when.date, 12)
  if (!entry.descriptor) {
    header.writeUInt32LE(entry.crc, 14)
    header.writeUInt32LE(entry.compressedSize, 18)
    header.writeUInt32LE(entry.size, 22)
  } else if (entry.zip64) {
    // The sizes follow in the descriptor, 8 bytes each; the Zip64 field says they will.
    header.writeUInt32LE(MAX32, 18)
    header.writeUInt32LE(MAX32, 22)
  }
  header.writeUInt16LE(entry.name.length, 26)
  header.writeUInt16LE(extra, 28)
  entry.name.copy(header, 30)
  if (entry.zip64) {
    const at = 30 + entry.name.length
    header.writeUInt16LE(ZIP64_ID, at)
    header.writeUInt16LE(16, at + 2)
    // Sizes unknown yet (zero); the descriptor and the central directory carry them.
  }
  return header
}

/** What follows a streamed entry's data: its CRC and sizes, 8-byte sizes under Zip64. */
export function dataDescriptor(entry: ZipEntry): Buffer {
  const record = Buffer.alloc(entry.zip64 ? 24 : 16)
  record.writeUInt32LE(0x08074b50, 0)
  record.writeUInt32LE(entry.crc, 4)
  if (entry.zip64) {
    record.writeBigUInt64LE(BigInt(entry.compressedSize), 8)
    record.writeBigUInt64LE(BigInt(entry.size), 16)
  } else {
    record.writeUInt32LE(entry.compressedSize, 8)
    record.writeUInt32LE(entry.size, 12)
  }
  return record
}

export function centralHeader(entry: ZipEntry, when: { time: number; date: number }): Buffer {
  // An entry with a Zip64 local header keeps both sizes in the Zip64 field here too.
  const bigSizes =
    entry.zip64 || entry.size >= MAX32 || entry.compressedSize >= MAX32 ? [entry.size] : []
  const big = [
    ...bigSizes,
    ...(bigSizes.length ? [entry.compressedSize] : []),
    ...(entry.offset >= MAX32 ? [entry.offset] : [])
  ]
  const extra = big.length ? 4 + 8 * big.length : 0
  const header = Buffer.alloc(46 + entry.name.length + extra)
  header.writeUInt32LE(0x02014b50, 0)
  header.writeUInt16LE(MADE_BY, 4)
  header.writeUInt16LE(needed(entry.zip64 || big.length > 0), 6)
  header.writeUInt16LE(UTF8 | (entry.descriptor ? DESCRIPTOR : 0), 8)
  header.writeUInt16LE(entry.method, 10)
  header.writeUInt16LE(when.time, 12)
  header.writeUInt16LE(when.date, 14)
  header.writeUInt32LE(entry.crc, 16)
  header.writeUInt32LE(bigSizes.length ? MAX32 : entry.compressedSize, 20)
  header.writeUInt32LE(bigSizes.length ? MAX32 : entry.size, 24)
  header.writeUInt16LE(entry.name.length, 28)
  header.writeUInt16LE(extra, 30)
  // comment length, disk number start, internal attributes: 0
  const dosDirectory = (entry.mode & 0o170000) === S_IFDIR ? 0x10 : 0
  header.writeUInt32LE(((entry.mode << 16) | dosDirectory) >>> 0, 38)
  header.writeUInt32LE(entry.offset >= MAX32 ? MAX32 : entry.offset, 42)
  entry.name.copy(header, 46)
  if (big.length) {
    const at = 46 + entry.name.length
    header.writeUInt16LE(ZIP64_ID, at)
    header.writeUInt16LE(8 * big.length, at + 2)
    big.forEach((value, i) => header.writeBigUInt64LE(BigInt(value), at + 4 + 8 * i))
  }
  return header
}

/**
 * The end of the archive: the end of central directory record, preceded by the Zip64 end record
 * and its locator when the entry count, the directory's size or its offset overflow their fields.
 */
export function endRecords(count: number, directorySize: number, directoryOffset: number): Buffer {
  const zip64 = count >= MAX16 || directorySize >= MAX32 || directoryOffset >= MAX32
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Math.min(count, MAX16), 8)
  end.writeUInt16LE(Math.min(count, MAX16), 10)
  end.writeUInt32LE(Math.min(directorySize, MAX32), 12)
  end.writeUInt32LE(Math.min(directoryOffset, MAX32), 16)
  if (!zip64) return end
  const record = Buffer.alloc(56)
  record.writeUInt32LE(0x06064b50, 0)
  record.writeBigUInt64LE(44n, 4) // the size of the rest of this record
  record.writeUInt16LE(MADE_BY, 12)
  record.writeUInt16LE(45, 14)
  // this disk, the directory's disk: 0
  record.writeBigUInt64LE(BigInt(count), 24)
  record.writeBigUInt64LE(BigInt(count), 32)
  record.writeBigUInt64LE(BigInt(directorySize), 40)
  record.writeBigUInt64LE(BigInt(directoryOffset), 48)
  const locator = Buffer.alloc(20)
  locator.writeUInt32LE(0x07064b50, 0)
  locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8)
  locator.writeUInt32LE(1, 16) // disks in all
  return Buffer.concat([record, locator, end])
}

/** CRC-32 of `length` zero bits appended, as a 32×32 matrix over GF(2), applied to `crc`. */
function times(matrix: Uint32Array, vector: number): number {
  let sum = 0
  for (let row = 0; vector !== 0; row++, vector >>>= 1) if (vector & 1) sum ^= matrix[row]!
  return sum >>> 0
}

function square(matrix: Uint32Array): Uint32Array {
  const result = new Uint32Array(32)
  for (let row = 0; row < 32; row++) result[row] = times(matrix, matrix[row]!)
  return result
}

/**
 * The CRC-32 of A followed by B from the CRC of A, the CRC of B and B's length: the CRC of A is
 * carried through B's length of zeros (one squaring of the one-zero-bit operator per bit of the
 * length), then B's CRC is added.
 */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0
  // The operator for one zero bit: shift, and fold in the reflected polynomial.
  let operator: Uint32Array = new Uint32Array(32)
  operator[0] = 0xedb88320
  for (let row = 1; row < 32; row++) operator[row] = 1 << (row - 1)
  operator = square(square(square(operator))) // one zero byte
  let crc = crcA >>> 0
  for (let bytes = lengthB; bytes > 0; bytes = Math.floor(bytes / 2)) {
    if (bytes % 2 === 1) crc = times(operator, crc)
    if (bytes > 1) operator = square(operator)
  }
  return (crc ^ crcB) >>> 0
}
