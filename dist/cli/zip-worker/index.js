import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/engine/revision/bundle/zip-worker.ts
/**
 * A zip worker thread (started by ./zip-pool.ts): reads each piece of a job (a whole small file,
 * or one chunk of a big one), takes its CRC-32 and deflates it, or stores it when deflating would
 * not pay, and sends back the bytes in one transferred buffer. Several workers deflate different
 * entries at once; the main thread only orders, hashes and writes. It uses nothing but Node's own
 * modules, and is built as an entry of its own (see zip-pool.ts for how it is found).
 *
 * The choice between stored and deflated depends on the content only, so the same tree gives the
 * same bytes: a file of at least SAMPLE_FROM bytes whose first SAMPLE bytes deflate (at level 1)
 * to more than 97% of their size is stored without trying (images, archives, random data); any
 * other whole file is deflated and stored if that does not make it smaller. A big file's chunks
 * are deflated as pigz does: each one with the 32 KiB before it as its dictionary and ended by a
 * sync flush (the last by the end of the stream), so that together they make one deflate stream.
 */



/** Deflate's window: a chunk's dictionary is this much of what comes before it. */
const WINDOW = 32 * 1024;
/** Files at least this big are sampled before they are deflated. */
const SAMPLE_FROM = 64 * 1024;
const SAMPLE = 16 * 1024;
const LEVEL = 6;
function changed(path) {
    return Object.assign(new Error(`${path}: size mismatch, the file changed while it was read`), {
        code: 'ESIZE',
        path
    });
}
function readAt(fd, path, buffer, position) {
    let done = 0;
    while (done < buffer.length) {
        const n = (0,external_node_fs_namespaceObject.readSync)(fd, buffer, done, buffer.length - done, position + done);
        if (n === 0)
            throw changed(path);
        done += n;
    }
}
// Read into one buffer, reused: a piece's bytes are copied out before the next piece is read.
let reads = Buffer.allocUnsafeSlow(0);
function scratch(length) {
    if (reads.length < length)
        reads = Buffer.allocUnsafeSlow(Math.max(length, 2 * reads.length));
    return reads.subarray(0, length);
}
function read(piece) {
    const fd = (0,external_node_fs_namespaceObject.openSync)(piece.path, 'r');
    try {
        if ((0,external_node_fs_namespaceObject.fstatSync)(fd).size !== piece.fileSize)
            throw changed(piece.path);
        const start = Math.max(0, piece.offset - WINDOW);
        const buffer = scratch(piece.offset + piece.length - start);
        readAt(fd, piece.path, buffer, start);
        const data = buffer.subarray(piece.offset - start);
        let sample = data.subarray(0, SAMPLE);
        if (piece.offset > 0) {
            sample = Buffer.allocUnsafeSlow(Math.min(SAMPLE, piece.fileSize));
            readAt(fd, piece.path, sample, 0);
        }
        return { data, dictionary: buffer.subarray(0, piece.offset - start), sample };
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
}
/** Deflate's output for `length` bytes fits one buffer of this size: one allocation, no copies. */
function room(length) {
    return length + (length >> 12) + (length >> 14) + (length >> 25) + 7 + 64;
}
function compresses(sample) {
    const deflated = (0,external_node_zlib_namespaceObject.deflateRawSync)(sample, { level: 1, chunkSize: room(sample.length) });
    return deflated.length <= sample.length * 0.97;
}
function compress(piece) {
    const { data, dictionary, sample } = read(piece);
    const crc = (0,external_node_zlib_namespaceObject.crc32)(data);
    const sampled = piece.fileSize >= SAMPLE_FROM;
    if (sampled && !compresses(sample))
        return { crc, method: 0, bytes: data };
    if (piece.whole) {
        const deflated = (0,external_node_zlib_namespaceObject.deflateRawSync)(data, { level: LEVEL, chunkSize: room(data.length) });
        return deflated.length < data.length
            ? { crc, method: 8, bytes: deflated }
            : { crc, method: 0, bytes: data };
    }
    const options = {
        level: LEVEL,
        chunkSize: room(data.length),
        finishFlush: piece.last ? external_node_zlib_namespaceObject.constants.Z_FINISH : external_node_zlib_namespaceObject.constants.Z_SYNC_FLUSH
    };
    if (dictionary.length)
        options.dictionary = dictionary;
    return { crc, method: 8, bytes: (0,external_node_zlib_namespaceObject.deflateRawSync)(data, options) };
}
// Buffers the main thread has copied out and sent back, to carry the next jobs' bytes.
const spare = [];
/** At most what the job's pieces can take once compressed (deflate grows random data a little). */
function bound(pieces) {
    let total = 0;
    for (const { length } of pieces)
        total += room(length);
    return total;
}
function outputFor(size) {
    const i = spare.findIndex(buffer => buffer.byteLength >= size);
    if (i >= 0)
        return Buffer.from(spare.splice(i, 1)[0]);
    return Buffer.allocUnsafeSlow(Math.max(size, 1024 * 1024));
}
function errorOf(error) {
    const { message, code, path, syscall } = error;
    return {
        message: message ?? String(error),
        ...(code !== undefined ? { code } : {}),
        ...(path !== undefined ? { path } : {}),
        ...(syscall !== undefined ? { syscall } : {})
    };
}
function answer(message, transfer = []) {
    external_node_worker_threads_namespaceObject.parentPort.postMessage(message, transfer);
}
external_node_worker_threads_namespaceObject.parentPort?.on('message', (message) => {
    if ('spare' in message) {
        if (spare.length < 2)
            spare.push(message.spare);
        return;
    }
    const job = message;
    const out = outputFor(bound(job.pieces));
    const pieces = [];
    let at = 0;
    for (let i = 0; i < job.pieces.length; i++) {
        let result;
        try {
            result = compress(job.pieces[i]);
        }
        catch (error) {
            spare.push(out.buffer);
            answer({ id: job.id, piece: i, error: errorOf(error) });
            return;
        }
        at += result.bytes.copy(out, at);
        pieces.push({ crc: result.crc, method: result.method, length: result.bytes.length });
    }
    answer({ id: job.id, buffer: out.buffer, pieces }, [out.buffer]);
});

