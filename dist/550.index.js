export const id = 550;
export const ids = [550];
export const modules = {

/***/ 1550:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  packageAndUpload: () => (/* binding */ packageAndUpload)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/engine/revision/appspec/index.ts + 19 modules
var appspec = __webpack_require__(65743);
// EXTERNAL MODULE: ./src/engine/aws/errors.ts
var errors = __webpack_require__(42433);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __webpack_require__(78474);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./src/engine/errors.ts
var engine_errors = __webpack_require__(17679);
// EXTERNAL MODULE: ./src/engine/revision/ignore-rules.ts
var ignore_rules = __webpack_require__(74532);
;// CONCATENATED MODULE: ./src/engine/revision/bundle/secrets.ts
/**
 * Files that look like secrets: packaged, they reach every instance and anyone who can read the
 * bucket. They are still packaged (an application may need its key), with a warning that names
 * the file and the `.codedeployignore` line that leaves it out.
 */

const SECRETS = [
    {
        test: name => name === '.env' || (/^\.env\./.test(name) && !/\.(example|sample|template|dist)$/.test(name)),
        what: 'an environment file'
    },
    {
        test: name => /\.(pem|key|p12|pfx|jks|keystore)$/i.test(name),
        what: 'a key or certificate store'
    },
    { test: name => /^id_(rsa|dsa|ecdsa|ed25519)$/.test(name), what: 'an SSH private key' },
    {
        test: name => ['.netrc', '.npmrc', '.pypirc', 'credentials.json'].includes(name),
        what: 'a credentials file'
    }
];
/** The warning for `rel` (posix, relative to the source) when its name looks like a secret. */
function secretWarning(rel) {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const secret = SECRETS.find(s => s.test(name));
    if (!secret)
        return undefined;
    return `${rel} looks like ${secret.what} and is about to be packaged: every instance, and anyone who can read the bucket, gets it. If it should not be deployed, add the line '/${rel}' to ${ignore_rules/* IGNORE_FILE */.SV} at the source's root.`;
}

;// CONCATENATED MODULE: ./src/engine/revision/bundle/entries.ts
/**
 * What goes into a bundle: walks the source depth first in name order, leaves out what the ignore
 * rules exclude, refuses links that leave the source or loop, names with control characters and
 * entries that cannot be packaged, warns about links that will dangle and files that look like
 * secrets, and marks the hook scripts executable.
 */






const WINDOWS = process.platform === 'win32';
function permissions(stats, isDir) {
    // Windows reports no useful permission bits: give the usual ones.
    if (WINDOWS)
        return isDir ? 0o755 : 0o644;
    return stats.mode & 0o7777;
}
function inside(root, candidate) {
    const rel = external_node_path_default().relative(root, candidate);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${(external_node_path_default()).sep}`) && !external_node_path_default().isAbsolute(rel));
}
function byName(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
/** `sub/script.sh`, `./sub/script.sh`, `/sub/script.sh` → `sub/script.sh`. */
function normalise(rel) {
    return external_node_path_default().posix.normalize(rel.replace(/\\/g, '/').replace(/^(\.?\/)+/, ''));
}
/**
 * Lists what goes into the bundle, depth first, each directory's entries sorted by name. Throws
 * InputError for links that leave the source, for entries that cannot be packaged, and when the
 * ignore rules exclude the appspec.
 */
async function listEntries(source, options = {}) {
    const root = external_node_path_default().resolve(source);
    const realRoot = await (0,promises_.realpath)(root);
    const skip = options.skip ? external_node_path_default().resolve(options.skip) : undefined;
    const rules = (0,ignore_rules/* loadExcludeRules */.Ss)(root);
    for (const name of ['appspec.yml', 'appspec.yaml']) {
        const present = await (0,promises_.lstat)(external_node_path_default().join(root, name)).then(() => true, () => false);
        if (present && rules.excludes(name, false)) {
            throw new engine_errors/* InputError */.dz(`${ignore_rules/* IGNORE_FILE */.SV} excludes ${name}, but the bundle must contain it. Remove the rule that matches it, or add '!${name}' at the end of ${ignore_rules/* IGNORE_FILE */.SV}.`);
        }
    }
    const entries = [];
    const warnings = [];
    let excluded = 0;
    const links = { root, realRoot, label: source, rules, warnings };
    // Each directory is read synchronously, its entries too: the metadata is nearly always cached,
    // and a round trip through the thread pool per entry made a walk of 20,000 files take 1.6 s
    // rather than 0.2 s. Between directories the walk lets other events (an abort) in.
    const visit = async (dir, relDir) => {
        await new Promise(resolve => setImmediate(resolve));
        options.signal?.throwIfAborted();
        let names;
        try {
            names = (0,external_node_fs_.readdirSync)(dir).sort(byName);
        }
        catch (error) {
            throw unreadable(error, relDir || '.', source);
        }
        for (const name of names) {
            const abs = external_node_path_default().join(dir, name);
            const rel = relDir ? `${relDir}/${name}` : name;
            if (abs === skip)
                continue;
            const stats = (0,external_node_fs_.lstatSync)(abs);
            if (rules.excludes(rel, stats.isDirectory())) {
                excluded++;
                continue;
            }
            // eslint-disable-next-line no-control-regex
            if (/[\u0000-\u001f\u007f]/.test(name)) {
                throw new engine_errors/* InputError */.dz(`${JSON.stringify(rel)} in ${source} has a control character (a newline, a tab, …) in its name, which the agent, scripts and logs would mangle. Rename it, or leave out its directory in ${ignore_rules/* IGNORE_FILE */.SV}.`);
            }
            if (stats.isSymbolicLink()) {
                entries.push({ kind: 'link', rel, target: await checkedLink(abs, rel, links) });
            }
            else if (stats.isDirectory()) {
                entries.push({ kind: 'dir', rel, mode: permissions(stats, true) });
                await visit(abs, rel);
            }
            else if (stats.isFile()) {
                entries.push({ kind: 'file', rel, abs, mode: permissions(stats, false), size: stats.size });
                const secret = secretWarning(rel);
                if (secret)
                    warnings.push({ rel, title: 'Looks like a secret', message: secret });
            }
            else {
                throw new engine_errors/* InputError */.dz(`${rel} in ${source} is not a regular file, directory or link (a socket, pipe or device) and cannot be packaged. Remove it, or add it to ${ignore_rules/* IGNORE_FILE */.SV}.`);
            }
        }
    };
    await visit(root, '');
    return { entries, excluded, rules, warnings };
}
/** A directory the walk cannot read, named, with the fix. */
function unreadable(error, rel, source) {
    if (error.code !== 'EACCES' && error.code !== 'EPERM')
        return error;
    return new engine_errors/* InputError */.dz(`Cannot read the directory ${rel} in ${source} (permission denied). Make it readable by the runner's user, or add it to ${ignore_rules/* IGNORE_FILE */.SV}.`);
}
/**
 * The link's target, with `/`, after making sure it stays inside the source and does not loop.
 * A link that dangles, or points at something left out of the bundle, is kept with a warning:
 * on the instance it will dangle.
 */
async function checkedLink(abs, rel, context) {
    const { root, realRoot, label, rules, warnings } = context;
    const target = await (0,promises_.readlink)(abs);
    const refuse = (why) => new engine_errors/* InputError */.dz(`Link ${rel} -> ${target} ${why}, so on the instance it would point at something the bundle does not carry. Make it a relative link to a path inside ${label}, replace it with a copy of what it points to, or add ${rel} to ${ignore_rules/* IGNORE_FILE */.SV}.`);
    if (external_node_path_default().isAbsolute(target) || /^[a-zA-Z]:/.test(target))
        throw refuse('is absolute');
    if (!inside(root, external_node_path_default().resolve(external_node_path_default().dirname(abs), target)))
        throw refuse('leaves the source directory');
    let real;
    try {
        real = await (0,promises_.realpath)(abs);
    }
    catch (error) {
        const code = error.code;
        if (code === 'ELOOP') {
            throw new engine_errors/* InputError */.dz(`Link ${rel} -> ${target} loops: following it leads back to itself through other links, so nothing can read it. Point it at a file or directory, or remove it.`);
        }
        if (code !== 'ENOENT' && code !== 'ENOTDIR')
            throw error;
    }
    // Through other links the real target may still be elsewhere.
    if (real !== undefined && !inside(realRoot, real))
        throw refuse(`resolves to ${real}, outside the source directory`);
    const warn = (message) => {
        warnings.push({ rel, title: 'Link will dangle', message });
    };
    if (real === undefined) {
        warn(`Link ${rel} -> ${target} points at nothing; it is packaged as it is and will dangle on the instance too. Fix its target, or add ${rel} to ${ignore_rules/* IGNORE_FILE */.SV}.`);
    }
    else {
        const realRel = external_node_path_default().relative(realRoot, real).split((external_node_path_default()).sep).join('/');
        if (realRel !== '' && rules.excludes(realRel, false)) {
            warn(`Link ${rel} -> ${target} points at ${realRel}, which is left out of the bundle (.git or ${ignore_rules/* IGNORE_FILE */.SV}), so it will dangle on the instance. Package what it points at, or add ${rel} to ${ignore_rules/* IGNORE_FILE */.SV}.`);
        }
    }
    return target.replace(/\\/g, '/');
}
/** Marks the hook scripts executable, following links inside the bundle to the file they name. */
function markExecutables(entries, executables, rules, source) {
    const byRel = new Map(entries.map(e => [e.rel, e]));
    for (const wanted of executables) {
        let rel = normalise(wanted);
        let entry = byRel.get(rel);
        for (let hops = 0; entry?.kind === 'link' && hops < 40; hops++) {
            rel = external_node_path_default().posix.normalize(external_node_path_default().posix.join(external_node_path_default().posix.dirname(rel), entry.target));
            entry = byRel.get(rel);
        }
        if (entry?.kind === 'file') {
            entry.mode |= 0o111;
            continue;
        }
        const why = rules.excludes(rel, false)
            ? rel.split('/').includes('.git')
                ? 'is inside .git, which is never packaged'
                : `is excluded by ${ignore_rules/* IGNORE_FILE */.SV}`
            : entry
                ? 'is not a file'
                : 'is not in the source';
        throw new engine_errors/* InputError */.dz(`Hook script ${wanted} ${why}, so the instance would not be able to run it. ${rules.excludes(rel, false)
            ? `Remove the ${ignore_rules/* IGNORE_FILE */.SV} rule that matches it.`
            : `Add it to ${source} or fix its location in the appspec.`}`);
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/bundle/read.ts
/**
 * Reads the files of a bundle into the archive writers, keeping track of the one being read so
 * that an error can name it and an abort can close it; turns a file that changed mid-read into an
 * InputError that says so.
 */



function read_open(entry, progress) {
    const stream = (0,external_node_fs_.createReadStream)(entry.abs, { highWaterMark: 1 << 20 });
    progress.rel = entry.rel;
    progress.abs = entry.abs;
    progress.stream = stream;
    return stream;
}
function translate(error, progress, source) {
    const message = error instanceof Error ? error.message : '';
    const errno = error;
    const denied = (errno?.code === 'EACCES' || errno?.code === 'EPERM') && errno.path === progress.abs;
    if (progress.rel && denied) {
        return new engine_errors/* InputError */.dz(`Cannot read ${progress.rel} in ${source} (permission denied). Make it readable by the runner's user, or, if it should not be deployed, add it to ${ignore_rules/* IGNORE_FILE */.SV}.`);
    }
    const vanished = errno?.code === 'ENOENT' && errno.path === progress.abs;
    if (progress.rel && (vanished || /unexpected number of bytes|size mismatch/i.test(message))) {
        return new engine_errors/* InputError */.dz(`${progress.rel} in ${source} changed while it was being packaged. Make sure no other step writes to the source while the bundle is made, then run again.`);
    }
    return error;
}

// EXTERNAL MODULE: ./node_modules/tar-stream/index.js
var tar_stream = __webpack_require__(56118);
;// CONCATENATED MODULE: ./src/engine/revision/bundle/tar.ts


function tarArchive(entries, mtime, progress) {
    const pack = tar_stream.pack();
    const base = { mtime, uid: 0, gid: 0, uname: '', gname: '' };
    const add = (header, entry) => new Promise((resolve, reject) => {
        const done = (error) => (error ? reject(error) : resolve());
        // An empty file still needs its (empty) body written; directories and links carry none.
        const sink = header.type === 'file' && !entry
            ? pack.entry({ ...base, ...header }, Buffer.alloc(0), done)
            : pack.entry({ ...base, ...header }, done);
        // Destroying the pack (abort, failure) errors the current sink; the callback reports it.
        sink.on('error', reject);
        if (!entry)
            return;
        const input = read_open(entry, progress);
        input.on('error', error => {
            sink.destroy(error);
            reject(error);
        });
        input.pipe(sink);
    });
    const write = async () => {
        for (const entry of entries) {
            if (pack.destroyed)
                return;
            if (entry.kind === 'dir') {
                await add({ name: `${entry.rel}/`, type: 'directory', mode: entry.mode });
            }
            else if (entry.kind === 'link') {
                await add({ name: entry.rel, type: 'symlink', linkname: entry.target, mode: 0o777 });
            }
            else {
                await add({ name: entry.rel, type: 'file', mode: entry.mode, size: entry.size }, entry.size > 0 ? entry : undefined);
            }
        }
        pack.finalize();
    };
    write().catch((error) => pack.destroy(error instanceof Error ? error : new Error(String(error))));
    return pack;
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
;// CONCATENATED MODULE: ./src/engine/revision/bundle/zip-feed.ts
/** Files bigger than this are read, deflated and written in chunks of this size. */
const CHUNK = 1024 * 1024;
/** Small files go to the workers in jobs of about this many bytes… */
const BATCH_BYTES = 512 * 1024;
/** …and at most this many files. */
const BATCH_FILES = 256;
function chunkCount(size) {
    return Math.ceil(size / CHUNK);
}
/** The jobs for the workers, in the entries' order, with the file of each piece. */
function* plan(entries) {
    let pieces = [];
    let files = [];
    let bytes = 0;
    for (const entry of entries) {
        if (entry.kind !== 'file' || entry.size === 0)
            continue;
        const { abs: path, size: fileSize } = entry;
        if (entry.size <= CHUNK) {
            pieces.push({ path, fileSize, offset: 0, length: fileSize, whole: true, last: true });
            files.push(entry);
            bytes += entry.size;
            if (bytes < BATCH_BYTES && pieces.length < BATCH_FILES)
                continue;
        }
        if (pieces.length)
            yield { pieces, files };
        pieces = [];
        files = [];
        bytes = 0;
        if (entry.size <= CHUNK)
            continue;
        const count = chunkCount(entry.size);
        for (let i = 0; i < count; i++) {
            const offset = i * CHUNK;
            const length = Math.min(CHUNK, entry.size - offset);
            const last = i === count - 1;
            yield { pieces: [{ path, fileSize, offset, length, whole: false, last }], files: [entry] };
        }
    }
    if (pieces.length)
        yield { pieces, files };
}
/** The workers' results, piece by piece in the entries' order. */
class PieceFeed {
    pool;
    window;
    progress;
    jobs;
    ahead = [];
    current;
    index = 0;
    at = 0;
    nextId = 0;
    /** `window`: how many jobs may run ahead of the writer. */
    constructor(entries, pool, window, progress) {
        this.pool = pool;
        this.window = window;
        this.progress = progress;
        this.jobs = plan(entries);
        this.fill();
    }
    fill() {
        while (this.ahead.length < this.window) {
            const next = this.jobs.next();
            if (next.done)
                return;
            const result = this.pool.run({ id: this.nextId++, pieces: next.value.pieces });
            result.catch(() => undefined); // awaited in order later; an abort rejects them all at once
            this.ahead.push({ files: next.value.files, result });
        }
    }
    /**
     * The next piece when its job's answer is in already, without waiting (most pieces: a job
     * carries up to BATCH_FILES of them); undefined when it must be waited for with next(). Its
     * bytes stay valid until the writer asks for a piece again.
     */
    take() {
        const current = this.current;
        if (!current || this.index === current.pieces.length)
            return undefined;
        const { crc, method, length } = current.pieces[this.index++];
        const data = Buffer.from(current.buffer, this.at, length);
        this.at += length;
        return { crc, method, data };
    }
    /** The next piece, waiting for its job if need be (see take()). */
    async next() {
        for (;;) {
            const piece = this.take();
            if (piece)
                return piece;
            await this.load();
        }
    }
    /** Hands the finished job's buffer back to the workers and waits for the next job's answer. */
    async load() {
        if (this.current)
            this.pool.recycle(this.current.buffer);
        this.current = undefined;
        const job = this.ahead.shift();
        if (!job)
            throw new Error('The zip writer asked for more pieces than it planned.');
        const result = await job.result;
        this.fill();
        if ('error' in result) {
            const file = job.files[result.piece];
            this.progress.rel = file.rel;
            this.progress.abs = file.abs;
            throw Object.assign(new Error(result.error.message), result.error, {
                path: result.error.path ?? file.abs
            });
        }
        this.current = result;
        this.index = 0;
        this.at = 0;
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/bundle/zip-format.ts
/**
 * The records of a zip archive (PKWARE APPNOTE 6.3): local headers, data descriptors, central
 * directory headers and the end records, Zip64 where a size, an offset or the entry count needs
 * it. Every entry is "made by" Unix with its mode in the high half of the external attributes, so
 * Info-ZIP unzip restores modes and links; names are UTF-8 (bit 11); times are DOS times.
 */
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** A value at or past this does not fit a 32-bit field and goes to the Zip64 extra field. */
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
/** Unix (3) in the high byte; 4.5, the version that knows Zip64, in the low one. */
const MADE_BY = (3 << 8) | 45;
const UTF8 = 0x0800;
const DESCRIPTOR = 0x0008;
const ZIP64_ID = 0x0001;
/** Streamed files at least this big get a Zip64 local header: deflate may grow them past 4 GiB. */
const ZIP64_STREAMED = 0xff000000;
const EARLIEST = Date.UTC(1980, 0, 1);
const LATEST = Date.UTC(2107, 11, 31, 23, 59, 58);
/** The DOS time and date of `time`'s UTC fields (DOS time has no zone), within 1980–2107. */
function dosDateTime(time) {
    const t = new Date(Math.min(Math.max(time.getTime(), EARLIEST), LATEST));
    return {
        time: (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1),
        date: ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate()
    };
}
function needed(zip64) {
    return zip64 ? 45 : 20;
}
function localHeader(entry, when) {
    const extra = entry.zip64 ? 20 : 0;
    const header = Buffer.alloc(30 + entry.name.length + extra);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(needed(entry.zip64), 4);
    header.writeUInt16LE(UTF8 | (entry.descriptor ? DESCRIPTOR : 0), 6);
    header.writeUInt16LE(entry.method, 8);
    header.writeUInt16LE(when.time, 10);
    header.writeUInt16LE(when.date, 12);
    if (!entry.descriptor) {
        header.writeUInt32LE(entry.crc, 14);
        header.writeUInt32LE(entry.compressedSize, 18);
        header.writeUInt32LE(entry.size, 22);
    }
    else if (entry.zip64) {
        // The sizes follow in the descriptor, 8 bytes each; the Zip64 field says they will.
        header.writeUInt32LE(MAX32, 18);
        header.writeUInt32LE(MAX32, 22);
    }
    header.writeUInt16LE(entry.name.length, 26);
    header.writeUInt16LE(extra, 28);
    entry.name.copy(header, 30);
    if (entry.zip64) {
        const at = 30 + entry.name.length;
        header.writeUInt16LE(ZIP64_ID, at);
        header.writeUInt16LE(16, at + 2);
        // Sizes unknown yet (zero); the descriptor and the central directory carry them.
    }
    return header;
}
/** What follows a streamed entry's data: its CRC and sizes, 8-byte sizes under Zip64. */
function dataDescriptor(entry) {
    const record = Buffer.alloc(entry.zip64 ? 24 : 16);
    record.writeUInt32LE(0x08074b50, 0);
    record.writeUInt32LE(entry.crc, 4);
    if (entry.zip64) {
        record.writeBigUInt64LE(BigInt(entry.compressedSize), 8);
        record.writeBigUInt64LE(BigInt(entry.size), 16);
    }
    else {
        record.writeUInt32LE(entry.compressedSize, 8);
        record.writeUInt32LE(entry.size, 12);
    }
    return record;
}
function centralHeader(entry, when) {
    // An entry with a Zip64 local header keeps both sizes in the Zip64 field here too.
    const bigSizes = entry.zip64 || entry.size >= MAX32 || entry.compressedSize >= MAX32 ? [entry.size] : [];
    const big = [
        ...bigSizes,
        ...(bigSizes.length ? [entry.compressedSize] : []),
        ...(entry.offset >= MAX32 ? [entry.offset] : [])
    ];
    const extra = big.length ? 4 + 8 * big.length : 0;
    const header = Buffer.alloc(46 + entry.name.length + extra);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(MADE_BY, 4);
    header.writeUInt16LE(needed(entry.zip64 || big.length > 0), 6);
    header.writeUInt16LE(UTF8 | (entry.descriptor ? DESCRIPTOR : 0), 8);
    header.writeUInt16LE(entry.method, 10);
    header.writeUInt16LE(when.time, 12);
    header.writeUInt16LE(when.date, 14);
    header.writeUInt32LE(entry.crc, 16);
    header.writeUInt32LE(bigSizes.length ? MAX32 : entry.compressedSize, 20);
    header.writeUInt32LE(bigSizes.length ? MAX32 : entry.size, 24);
    header.writeUInt16LE(entry.name.length, 28);
    header.writeUInt16LE(extra, 30);
    // comment length, disk number start, internal attributes: 0
    const dosDirectory = (entry.mode & 0o170000) === S_IFDIR ? 0x10 : 0;
    header.writeUInt32LE(((entry.mode << 16) | dosDirectory) >>> 0, 38);
    header.writeUInt32LE(entry.offset >= MAX32 ? MAX32 : entry.offset, 42);
    entry.name.copy(header, 46);
    if (big.length) {
        const at = 46 + entry.name.length;
        header.writeUInt16LE(ZIP64_ID, at);
        header.writeUInt16LE(8 * big.length, at + 2);
        big.forEach((value, i) => header.writeBigUInt64LE(BigInt(value), at + 4 + 8 * i));
    }
    return header;
}
/**
 * The end of the archive: the end of central directory record, preceded by the Zip64 end record
 * and its locator when the entry count, the directory's size or its offset overflow their fields.
 */
function endRecords(count, directorySize, directoryOffset) {
    const zip64 = count >= MAX16 || directorySize >= MAX32 || directoryOffset >= MAX32;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, MAX16), 8);
    end.writeUInt16LE(Math.min(count, MAX16), 10);
    end.writeUInt32LE(Math.min(directorySize, MAX32), 12);
    end.writeUInt32LE(Math.min(directoryOffset, MAX32), 16);
    if (!zip64)
        return end;
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4); // the size of the rest of this record
    record.writeUInt16LE(MADE_BY, 12);
    record.writeUInt16LE(45, 14);
    // this disk, the directory's disk: 0
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directorySize), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
    locator.writeUInt32LE(1, 16); // disks in all
    return Buffer.concat([record, locator, end]);
}
/** CRC-32 of `length` zero bits appended, as a 32×32 matrix over GF(2), applied to `crc`. */
function times(matrix, vector) {
    let sum = 0;
    for (let row = 0; vector !== 0; row++, vector >>>= 1)
        if (vector & 1)
            sum ^= matrix[row];
    return sum >>> 0;
}
function square(matrix) {
    const result = new Uint32Array(32);
    for (let row = 0; row < 32; row++)
        result[row] = times(matrix, matrix[row]);
    return result;
}
/**
 * The CRC-32 of A followed by B from the CRC of A, the CRC of B and B's length: the CRC of A is
 * carried through B's length of zeros (one squaring of the one-zero-bit operator per bit of the
 * length), then B's CRC is added.
 */
function crc32Combine(crcA, crcB, lengthB) {
    if (lengthB <= 0)
        return crcA >>> 0;
    // The operator for one zero bit: shift, and fold in the reflected polynomial.
    let operator = new Uint32Array(32);
    operator[0] = 0xedb88320;
    for (let row = 1; row < 32; row++)
        operator[row] = 1 << (row - 1);
    operator = square(square(square(operator))); // one zero byte
    let crc = crcA >>> 0;
    for (let bytes = lengthB; bytes > 0; bytes = Math.floor(bytes / 2)) {
        if (bytes % 2 === 1)
            crc = times(operator, crc);
        if (bytes > 1)
            operator = square(operator);
    }
    return (crc ^ crcB) >>> 0;
}

// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(75919);
;// CONCATENATED MODULE: ./src/engine/revision/bundle/zip-worker-start.ts
/**
 * Starts a zip worker thread (./zip-worker.ts) from a file of its own. Built into dist/ (the
 * action's dist/index.js, the CLI's dist/cli/index.js), that file is zip-worker/index.js beside
 * the running one: `npm run package` builds zip-worker.ts as an entry of its own into each. From
 * source (the tests, tsx scripts: this module's URL ends in `.ts`) it is the TypeScript itself,
 * and the thread first registers tsx to load it: a worker does not inherit its parent's loader,
 * and the test runner's (ts-jest) is not one a thread can use.
 */

/** Where the build puts the worker, relative to the file that starts it (see package.json). */
const BUILT_WORKER = './zip-worker/index.js';
function startZipWorker() {
    // Read at run time: the bundler leaves `new URL(<variable>, …)` alone, so the worker is not
    // copied in as an asset but found where the build put it.
    const here = import.meta.url;
    if (!here.endsWith('.ts'))
        return new external_node_worker_threads_.Worker(new URL(BUILT_WORKER, here));
    const loader = [
        `import { createRequire } from 'node:module'`,
        `const require = createRequire(${JSON.stringify(here)})`,
        `require('tsx/cjs/api').register()`,
        `require('./zip-worker.ts')`
    ].join('\n');
    return new external_node_worker_threads_.Worker(new URL(`data:text/javascript,${encodeURIComponent(loader)}`));
}

;// CONCATENATED MODULE: ./src/engine/revision/bundle/zip-pool.ts

class WorkerPool {
    signal;
    startWorker;
    lanes = [];
    waiters = new Map();
    failure;
    closed = false;
    recycled = 0;
    onAbort = () => this.fail(this.signal?.reason);
    /** `startWorker`: how a worker thread is started (the tests start some that fail). */
    constructor(count, signal, startWorker = startZipWorker) {
        this.signal = signal;
        this.startWorker = startWorker;
        try {
            for (let i = 0; i < count; i++)
                this.lanes.push(this.start());
        }
        catch (error) {
            // The ones already started would keep the process alive: nobody else holds them.
            this.close();
            throw error;
        }
        signal?.addEventListener('abort', this.onAbort, { once: true });
    }
    start() {
        const lane = { worker: this.startWorker(), waiting: 0 };
        lane.worker.on('message', (result) => this.settle(result));
        lane.worker.on('error', error => this.fail(error));
        lane.worker.on('exit', code => {
            if (!this.closed)
                this.fail(new Error(`A zip worker thread stopped (exit code ${code}).`));
        });
        return lane;
    }
    send(worker, message, transfer = []) {
        worker.postMessage(message, transfer);
    }
    /** Runs the job on the least busy worker. */
    async run(job) {
        if (this.failure)
            throw this.failure;
        if (this.closed)
            throw new Error('The zip workers are closed.');
        const lane = this.lanes.reduce((best, next) => (next.waiting < best.waiting ? next : best));
        lane.waiting++;
        return new Promise((resolve, reject) => {
            this.waiters.set(job.id, { lane, resolve, reject });
            this.send(lane.worker, job);
        });
    }
    /** Hands a job's buffer, copied out, back to a worker to carry another job's bytes. */
    recycle(buffer) {
        if (this.closed)
            return;
        const lane = this.lanes[this.recycled++ % this.lanes.length];
        this.send(lane.worker, { spare: buffer }, [buffer]);
    }
    settle(result) {
        const waiter = this.waiters.get(result.id);
        if (!waiter)
            return;
        this.waiters.delete(result.id);
        waiter.lane.waiting--;
        waiter.resolve(result);
    }
    fail(error) {
        if (this.failure)
            return;
        // The caller reports the abort's own reason; this one only ends the jobs.
        this.failure = error instanceof Error ? error : new Error(`Packaging stopped: ${String(error)}`);
        for (const waiter of this.waiters.values())
            waiter.reject(this.failure);
        this.waiters.clear();
        this.close();
    }
    /** Stops the workers; jobs still waiting are rejected. */
    close() {
        if (this.closed)
            return;
        this.closed = true;
        this.signal?.removeEventListener('abort', this.onAbort);
        for (const waiter of this.waiters.values()) {
            waiter.reject(new Error('The zip workers were closed with a job still running.'));
        }
        this.waiters.clear();
        for (const lane of this.lanes)
            void lane.worker.terminate();
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/bundle/zip.ts
/**
 * Writes the entries as a zip with Unix modes and links kept, every entry at the same DOS
 * timestamp, and files that would not shrink stored rather than deflated.
 *
 * Worker threads (./zip-pool.ts, ./zip-worker.ts) read and deflate the files, several at a time
 * (./zip-feed.ts); this thread writes their results strictly in the listing's order, so the bytes
 * do not depend on which worker finished first. A file read in chunks is written with a data
 * descriptor (its CRC and sizes follow its data), and with Zip64 fields when it may pass 4 GiB.
 */





/** Jobs running ahead of the writer, per worker. */
const AHEAD = 4;
/** The writer hands on its bytes in pieces of this size. */
const OUTPUT_CHUNK = 1024 * 1024;
/** A worker more for each this many bytes to read (each costs ~30 ms to start), up to the cores… */
const BYTES_PER_WORKER = 4 * 1024 * 1024;
/** …and up to this many: each takes ~30 MB, and the writer needs a core too. */
const MAX_WORKERS = 4;
function workers(entries) {
    let bytes = 0;
    for (const entry of entries)
        if (entry.kind === 'file')
            bytes += entry.size;
    const wanted = Math.ceil(bytes / BYTES_PER_WORKER);
    return Math.max(1, Math.min((0,external_node_os_.availableParallelism)(), MAX_WORKERS, wanted));
}
/**
 * Two buffers of OUTPUT_CHUNK bytes: one fills while the other is written. Nothing is allocated
 * per entry, so there is no garbage for the collector to fall behind on.
 */
class Output {
    write;
    buffers = [OUTPUT_CHUNK, OUTPUT_CHUNK].map(n => Buffer.allocUnsafeSlow(n));
    current = 0;
    used = 0;
    writing = Promise.resolve();
    /** Bytes put so far: where the next one lands in the archive. */
    offset = 0;
    constructor(write) {
        this.write = write;
    }
    /**
     * Copies `bytes` in. Most fit the current buffer and are in when this returns; a promise comes
     * back only when a buffer filled and had to be handed on, and the next put waits for it.
     */
    put(bytes) {
        if (this.used + bytes.length >= OUTPUT_CHUNK)
            return this.putAll(bytes);
        this.used += bytes.copy(this.buffers[this.current], this.used);
        this.offset += bytes.length;
        return undefined;
    }
    async putAll(bytes) {
        for (let from = 0; from < bytes.length;) {
            const copied = bytes.copy(this.buffers[this.current], this.used, from);
            from += copied;
            this.used += copied;
            this.offset += copied;
            if (this.used === OUTPUT_CHUNK)
                await this.flush();
        }
    }
    async flush() {
        await this.writing;
        this.writing = this.write(this.buffers[this.current].subarray(0, this.used));
        this.writing.catch(() => undefined); // awaited by the next flush or by end()
        this.current ^= 1;
        this.used = 0;
    }
    async end() {
        if (this.used)
            await this.flush();
        await this.writing;
    }
}
/** The central directory, one growing buffer rather than an object per entry. */
class Directory {
    bytes = Buffer.allocUnsafeSlow(64 * 1024);
    used = 0;
    count = 0;
    add(record) {
        if (this.used + record.length > this.bytes.length) {
            const bigger = Buffer.allocUnsafeSlow(Math.max(2 * this.bytes.length, this.used + record.length));
            this.bytes.copy(bigger, 0, 0, this.used);
            this.bytes = bigger;
        }
        this.used += record.copy(this.bytes, this.used);
        this.count++;
    }
    content() {
        return this.bytes.subarray(0, this.used);
    }
}
class ZipWriter {
    feed;
    progress;
    out;
    central = new Directory();
    when;
    constructor(mtime, feed, progress, write) {
        this.feed = feed;
        this.progress = progress;
        this.when = dosDateTime(mtime);
        this.out = new Output(write);
    }
    /**
     * Puts the entry in; a promise only when it had to wait (for a worker's answer, or for the
     * output), and then the next entry waits for it. Most entries go in without one: a promise and
     * an async frame per entry are most of what the writer would otherwise leave to the collector.
     */
    add(item) {
        // One object of one shape, filled in: spreading objects into a new one costs ten times more.
        const entry = {
            name: Buffer.from(item.kind === 'dir' ? `${item.rel}/` : item.rel),
            method: 0,
            crc: 0,
            compressedSize: 0,
            size: 0,
            offset: this.out.offset,
            mode: 0,
            descriptor: false,
            zip64: false
        };
        if (item.kind === 'dir') {
            entry.mode = S_IFDIR | item.mode;
            return this.known(entry);
        }
        if (item.kind === 'link') {
            // Info-ZIP unzip restores a link from the S_IFLNK mode with the target as the content.
            const target = Buffer.from(item.target);
            entry.crc = (0,external_node_zlib_.crc32)(target);
            entry.compressedSize = entry.size = target.length;
            entry.mode = S_IFLNK | 0o777;
            return this.known(entry, target);
        }
        entry.mode = S_IFREG | item.mode;
        if (item.size === 0)
            return this.known(entry);
        if (item.size > CHUNK)
            return this.chunked(item, entry);
        entry.size = item.size;
        const whole = (piece) => {
            entry.method = piece.method;
            entry.crc = piece.crc;
            entry.compressedSize = piece.data.length;
            return this.known(entry, piece.data);
        };
        const piece = this.feed.take();
        return piece ? whole(piece) : this.feed.next().then(whole);
    }
    /** An entry whose CRC and sizes are known before its data. */
    known(entry, data) {
        this.central.add(centralHeader(entry, this.when));
        const header = this.out.put(localHeader(entry, this.when));
        if (!data)
            return header;
        return header ? header.then(() => this.out.put(data)) : this.out.put(data);
    }
    /** A big file, chunk by chunk, its CRC and sizes in a data descriptor after it. */
    async chunked(item, entry) {
        let piece = await this.feed.next();
        entry.method = piece.method;
        entry.size = item.size;
        entry.descriptor = true;
        entry.zip64 = item.size >= ZIP64_STREAMED;
        await this.out.put(localHeader(entry, this.when));
        const count = chunkCount(item.size);
        for (let i = 0; i < count; i++) {
            if (i > 0)
                piece = await this.feed.next();
            // Each worker decides from the file's first bytes; they differ only if the file changed.
            if (piece.method !== entry.method) {
                this.progress.rel = item.rel;
                this.progress.abs = item.abs;
                throw Object.assign(new Error(`${item.abs}: size mismatch, it changed while it was read`), {
                    path: item.abs
                });
            }
            entry.crc = crc32Combine(entry.crc, piece.crc, Math.min(CHUNK, item.size - i * CHUNK));
            entry.compressedSize += piece.data.length;
            await this.out.put(piece.data);
        }
        await this.out.put(dataDescriptor(entry));
        this.central.add(centralHeader(entry, this.when));
    }
    async finish() {
        const directoryOffset = this.out.offset;
        await this.out.put(this.central.content());
        const size = this.out.offset - directoryOffset;
        await this.out.put(endRecords(this.central.count, size, directoryOffset));
        await this.out.end();
    }
}
/** Writes the zip of the entries, in their order (see the module comment). */
async function writeZip(entries, mtime, options) {
    const count = options.workers ?? workers(entries);
    const pool = new WorkerPool(count, options.signal);
    try {
        const feed = new PieceFeed(entries, pool, count * AHEAD, options.progress);
        const writer = new ZipWriter(mtime, feed, options.progress, options.write);
        for (const entry of entries) {
            const waiting = writer.add(entry);
            if (waiting)
                await waiting;
        }
        await writer.finish();
    }
    finally {
        pool.close();
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/bundle/index.ts
/**
 * Packages a source directory as a CodeDeploy bundle (zip, tgz or tar), streaming, so memory does
 * not grow with the size of the bundle (only with the number of entries, a few hundred bytes
 * each). A tar is written one file at a time, in 1 MiB chunks; a zip is deflated by worker
 * threads, several files at once, and written in order (./zip.ts). The SHA-256 is taken from the
 * bytes on their way to the file, never by reading the file again.
 *
 * - Entries are relative to the source, with `/`, so appspec.yml sits at the archive's root.
 * - Unix modes are kept; hook scripts get the execute bit even when the checkout lost it
 *   (Windows runners). The agent would try `chmod +x` itself, but only for the scripts it runs,
 *   and only when it can.
 * - Symlinks are stored as links, never followed. A link that is absolute or resolves outside
 *   the source is refused: on the instance it would point at something that was never packaged.
 * - `.git` is left out, `.codedeployignore` (gitignore syntax, at the source root) is honoured and
 *   itself left out (it is packaging configuration, not part of the application). Directories,
 *   empty ones included, get their own entries.
 * - Same tree, same bytes: entries are sorted, and every entry gets the same timestamp, with
 *   owner 0 and no user names. A checkout sets every mtime to the time of the checkout, so real
 *   mtimes would make each run's bundle differ. The agent installs files with their archive mtime,
 *   and web servers, opcache and make-style tools read it, so the run passes a time that moves with
 *   the content and stays reproducible (./time.ts: SOURCE_DATE_EPOCH or the commit time);
 *   `ENTRY_TIME` is only the default for callers that give none.
 */
















/**
 * The timestamp every entry gets by default: 2000-01-01T00:00:00Z. Any constant keeps bundles
 * reproducible; this one is valid in every format (zip cannot store dates before 1980, and some zip
 * readers refuse them), and plainly artificial when someone sees it on an instance.
 */
const ENTRY_TIME = new Date(Date.UTC(2000, 0, 1));
/**
 * Packages `source` into `outFile` as zip, tgz or tar (see the module comment for what goes in and
 * how). Removes the partial file on failure or abort; `outFile` is only ever a whole bundle.
 */
async function createBundle(options) {
    const { source, type, outFile, signal } = options;
    signal?.throwIfAborted();
    const listing = options.listing ?? (await listEntries(source, { skip: outFile, ...(signal ? { signal } : {}) }));
    const { entries, excluded, rules, warnings } = listing;
    const counts = { files: 0, directories: 0, symlinks: 0 };
    for (const entry of entries) {
        if (entry.kind === 'file')
            counts.files++;
        else if (entry.kind === 'dir')
            counts.directories++;
        else
            counts.symlinks++;
    }
    if (counts.files === 0) {
        throw new engine_errors/* InputError */.dz(`${source} has no files to package${excluded ? ` (${excluded} ${excluded === 1 ? 'entry is' : 'entries are'} excluded by .git or ${ignore_rules/* IGNORE_FILE */.SV})` : ''}. Point 'source' at the directory that holds appspec.yml and the application.`);
    }
    markExecutables(entries, options.executables ?? [], rules, source);
    if (type === 'zip') {
        const backslash = entries.find(e => e.rel.includes('\\'));
        if (backslash) {
            throw new engine_errors/* InputError */.dz(`${backslash.rel} has a backslash in its name, which zip readers take as a folder separator. Rename it, or use bundle-type tgz.`);
        }
    }
    const mtime = options.mtime ?? ENTRY_TIME;
    const progress = {};
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let size = 0;
    const count = (chunk) => {
        hash.update(chunk);
        size += chunk.length;
    };
    const partial = external_node_path_default().join(external_node_path_default().dirname(outFile), `.${external_node_path_default().basename(outFile)}.${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.partial`);
    const sink = { outFile: partial, progress, count, signal };
    try {
        if (type === 'zip')
            await zipFile(entries, mtime, sink);
        else
            await tarFile(entries, mtime, { ...sink, gzip: type === 'tgz' });
        await (0,promises_.rename)(partial, outFile);
    }
    catch (error) {
        await (0,promises_.rm)(partial, { force: true });
        if (signal?.aborted)
            throw signal.reason;
        throw translate(error, progress, source);
    }
    return {
        path: outFile,
        type,
        size,
        sha256: hash.digest('hex'),
        ...counts,
        excluded,
        warnings
    };
}
async function zipFile(entries, mtime, sink) {
    const file = await (0,promises_.open)(sink.outFile, 'w');
    try {
        await writeZip(entries, mtime, {
            progress: sink.progress,
            ...(sink.signal ? { signal: sink.signal } : {}),
            write: async (bytes) => {
                sink.count(bytes);
                for (let at = 0; at < bytes.length;) {
                    at += (await file.write(bytes, at, bytes.length - at)).bytesWritten;
                }
            }
        });
    }
    finally {
        await file.close();
    }
}
async function tarFile(entries, mtime, sink) {
    const { progress, count, signal } = sink;
    const tap = new external_node_stream_.Transform({
        transform(chunk, _encoding, done) {
            count(chunk);
            done(null, chunk);
        }
    });
    const archive = tarArchive(entries, mtime, progress);
    const out = (0,external_node_fs_.createWriteStream)(sink.outFile);
    const stages = sink.gzip ? [(0,external_node_zlib_.createGzip)(), tap] : [tap];
    try {
        await (0,external_node_stream_promises_.pipeline)([archive, ...stages, out], signal ? { signal } : {});
    }
    catch (error) {
        progress.stream?.destroy();
        archive.destroy();
        if (!out.closed)
            await (0,external_node_events_.once)(out, 'close').catch(() => undefined);
        throw error;
    }
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
;// CONCATENATED MODULE: ./src/engine/revision/bundle/time.ts
/**
 * The time every bundle entry carries. The agent keeps archive timestamps when it installs files,
 * and web servers, PHP's opcache and make-style tools decide from them whether a file changed, so
 * the time must move with the content; and the same commit must still give the same bytes. In
 * order: `SOURCE_DATE_EPOCH` (the reproducible-builds convention), the commit time of the source's
 * checkout (HEAD, else `GITHUB_SHA`), else the current time (then bundles are not reproducible).
 */


/** Zip cannot store dates before 1980, and its readers misread them: a floor for every format. */
const time_EARLIEST = Date.UTC(1980, 0, 1, 0, 0, 2);
/** Zip's DOS date ends with 2107. */
const time_LATEST = Date.UTC(2107, 11, 31, 23, 59, 58);
function clamp(seconds) {
    return new Date(Math.min(Math.max(seconds * 1000, time_EARLIEST), time_LATEST));
}
/** The commit time of `revision` in the git checkout holding `dir`, or undefined. */
function commitTime(dir, revision) {
    return new Promise(resolve => {
        (0,external_node_child_process_.execFile)('git', ['-C', dir, 'log', '-1', '--format=%ct', revision, '--'], { timeout: 10_000, windowsHide: true }, (error, stdout) => {
            const text = String(stdout).trim();
            resolve(!error && /^\d+$/.test(text) ? Number(text) : undefined);
        });
    });
}
/** The time every entry of this run's bundle gets, and where it came from. */
async function entryTime(sources) {
    const epoch = sources.sourceDateEpoch?.trim();
    if (epoch) {
        if (!/^\d+$/.test(epoch)) {
            throw new engine_errors/* InputError */.dz(`SOURCE_DATE_EPOCH '${epoch}' is not a whole number of seconds since 1970-01-01 UTC. Set it to one, e.g. $(git log -1 --format=%ct), or unset it to use the commit time.`);
        }
        return { time: clamp(Number(epoch)), from: 'SOURCE_DATE_EPOCH' };
    }
    const sha = sources.sha && /^[0-9a-f]{7,64}$/i.test(sources.sha) ? [sources.sha] : [];
    for (const revision of ['HEAD', ...sha]) {
        const seconds = await commitTime(sources.source, revision);
        if (seconds !== undefined) {
            return {
                time: clamp(seconds),
                from: revision === 'HEAD' ? 'the commit time of HEAD' : `the commit time of ${revision}`
            };
        }
    }
    const now = Math.floor((sources.now ?? Date.now)() / 1000);
    return {
        time: clamp(now),
        from: 'the current time (no SOURCE_DATE_EPOCH and no git commit)',
        current: true
    };
}

// EXTERNAL MODULE: ./src/engine/revision/stage.ts
var revision_stage = __webpack_require__(38868);
// EXTERNAL MODULE: ./src/engine/inputs/description.ts
var description = __webpack_require__(32288);
;// CONCATENATED MODULE: ./src/engine/revision/bundle/digest.ts
/**
 * A digest of a tree as it would be packaged: what the re-run cache is keyed by. Two trees with
 * the same digest give the same bundle bytes, so a bundle built and uploaded for one serves the
 * other. It covers everything the bundle's bytes depend on: each entry in order (path, kind, mode
 * after the hook scripts are marked executable, size, link target), every file's content, the time
 * the entries carry, the bundle type, the writer's format version and the zlib that deflates.
 *
 * Files are read whole with synchronous calls (a thread-pool round trip per file costs more than
 * the read), into pieces of PIECE bytes of the contents laid end to end; each piece is hashed on
 * the thread pool (WebCrypto) while the next one is read, so reading and hashing use both cores.
 * The sizes in the entry list make the concatenation unambiguous.
 *
 * The entry list alone (without the contents) gives the tree's shape, which costs nothing to
 * compute from a listing: the cache is looked up by shape, so a tree never seen before (every new
 * commit: its entry time is new) is packaged at once, and its contents are digested while the
 * bundle uploads.
 */


/**
 * The bundle writers' format. Bump it whenever the bytes they write for the same tree change
 * (zip.ts, tar.ts, index.ts), so that a cached bundle from an older writer is not taken for the
 * bundle this one would write. `__tests__/digest.test.ts` fails when the bytes change and this
 * does not.
 */
const FORMAT_VERSION = 2;
const PIECE = 4 << 20;
/** Pieces hashed at once; bounds the memory to a few pieces. */
const IN_FLIGHT = 4;
/**
 * File change times come from a coarse clock: a scheduler tick (1-10 ms) on Linux, whole seconds
 * on some filesystems (HFS+, FAT, some network mounts), where a rewrite just after the listing
 * can carry a time before it. A change this close to the listing counts as after it, so such a
 * file is never vouched for.
 */
const SETTLED_MS = 2000;
function describe(entry) {
    const line = entry.kind === 'file'
        ? ['file', entry.rel, entry.mode, entry.size]
        : entry.kind === 'dir'
            ? ['dir', entry.rel, entry.mode]
            : ['link', entry.rel, entry.target];
    return `${JSON.stringify(line)}\n`;
}
/** The entry list's SHA-256 (no contents), as the tree digest starts from it. */
function listHash(entries, options) {
    const list = (0,external_node_crypto_.createHash)('sha256');
    const header = {
        format: FORMAT_VERSION,
        type: options.type,
        mtime: options.mtime.getTime(),
        zlib: process.versions.zlib,
        piece: PIECE
    };
    list.update(`${JSON.stringify(header)}\n`);
    for (const entry of entries)
        list.update(describe(entry));
    return list.digest();
}
/** Hex SHA-256 of the tree's shape: every entry, mode, size and link, the time, the format. */
function treeShape(entries, options) {
    return listHash(entries, options).toString('hex');
}
/**
 * The digest of `entries` (a listing after `markExecutables`), or undefined when a file cannot
 * be read or changes while it is read: packaging then reports it, and nothing is cached.
 */
async function treeDigest(entries, options) {
    const seen = [];
    const hashing = [];
    const digests = [];
    let piece = Buffer.allocUnsafe(PIECE);
    let fill = 0;
    const flush = async () => {
        hashing.push(external_node_crypto_.webcrypto.subtle.digest('SHA-256', piece.subarray(0, fill)));
        piece = Buffer.allocUnsafe(PIECE);
        fill = 0;
        if (hashing.length >= IN_FLIGHT)
            digests.push(Buffer.from(await hashing.shift()));
    };
    for (const entry of entries) {
        if (entry.kind !== 'file' || entry.size === 0)
            continue;
        options.signal?.throwIfAborted();
        let fd;
        try {
            fd = (0,external_node_fs_.openSync)(entry.abs, 'r');
        }
        catch {
            return undefined;
        }
        try {
            const stats = (0,external_node_fs_.fstatSync)(fd);
            if (stats.size !== entry.size)
                return undefined;
            seen.push({ abs: entry.abs, size: entry.size, ctimeMs: stats.ctimeMs });
            for (let left = entry.size; left > 0;) {
                const read = (0,external_node_fs_.readSync)(fd, piece, fill, Math.min(PIECE - fill, left), null);
                if (read === 0)
                    return undefined;
                fill += read;
                left -= read;
                if (fill === PIECE)
                    await flush();
            }
        }
        catch {
            return undefined;
        }
        finally {
            (0,external_node_fs_.closeSync)(fd);
        }
    }
    if (fill > 0)
        await flush();
    for (const pending of hashing)
        digests.push(Buffer.from(await pending));
    const digest = (0,external_node_crypto_.createHash)('sha256')
        .update(listHash(entries, options))
        .update(Buffer.concat(digests))
        .digest('hex');
    const settled = seen.every(file => file.ctimeMs < options.listedAt - SETTLED_MS);
    return { digest, unchanged: () => settled && unchangedSince(seen) };
}
function unchangedSince(seen) {
    try {
        return seen.every(file => {
            const stats = (0,external_node_fs_.lstatSync)(file.abs);
            return stats.size === file.size && stats.ctimeMs === file.ctimeMs;
        });
    }
    catch {
        return false;
    }
}

// EXTERNAL MODULE: ./src/engine/revision/cache.ts
var revision_cache = __webpack_require__(77884);
// EXTERNAL MODULE: ./src/engine/inputs/s3-location.ts
var s3_location = __webpack_require__(68016);
// EXTERNAL MODULE: ./src/engine/inputs/options.ts
var options = __webpack_require__(96988);
;// CONCATENATED MODULE: ./src/engine/revision/upload.ts
/**
 * Puts a bundle in S3 under a key that carries its content hash, with a SHA-256 checksum that S3
 * checks against the bytes and keeps. The upload is skipped only when S3's own checksum of the
 * object there proves it holds exactly these bytes: the key and the metadata can be written by
 * anyone who may write to the bucket, a checksum S3 computed cannot be forged. Large bundles go up
 * in parts of PART_SIZE, so their composite checksum (the SHA-256 of the parts' SHA-256s, then
 * `-<parts>`) is computed here too. A failed or cancelled multipart upload is aborted so no
 * parts are left behind. Every S3 call goes through the gateway (../aws/s3.ts), which rides out
 * S3's throttling (503 SlowDown) and transient faults in one place.
 */






/** Object metadata key holding the bundle's SHA-256 (stored as x-amz-meta-bundle-sha256). */
const SHA256_METADATA = 'bundle-sha256';
const PART_SIZE = 8 * 1024 * 1024;
/** `<prefix><sha256>.<ext>`: the same tree always maps to the same key. */
function objectKey(keyPrefix, sha256, bundleType) {
    return `${keyPrefix}${sha256}.${(0,s3_location/* bundleExtension */.WL)(bundleType)}`;
}
/** Fails early, before any write, when the bucket is missing or not ours to use. */
async function checkBucket(gateway, bucket, signal) {
    try {
        await gateway.s3.headBucket(bucket, { patient: true, ...(signal ? { signal } : {}) });
    }
    catch (error) {
        const status = (0,errors/* httpStatus */.nG)(error);
        if ((0,errors/* errorName */.Is)(error) === 'NotFound' || (0,errors/* errorName */.Is)(error) === 'NoSuchBucket' || status === 404) {
            throw new engine_errors/* InputError */.dz(`Bucket '${bucket}' does not exist (or is in another account). Create it in the deployment's region, or set 'bucket' to an existing one.`);
        }
        if ((0,errors/* isAccessDenied */.w7)(error) || status === 403) {
            throw new engine_errors/* InputError */.dz(`Access to bucket '${bucket}' was denied. Allow s3:ListBucket, s3:GetObject and s3:PutObject on it for the role this workflow assumes (see the README's IAM policy).`);
        }
        throw error;
    }
}
/** Whether a bundle of `size` bytes goes up in parts (lib-storage: more than one part's worth). */
function multipart(size) {
    return size > PART_SIZE;
}
/** The SHA-256 S3 keeps for a single PUT of the bundle: the file's own, in base64. */
function fullChecksum(sha256) {
    return Buffer.from(sha256, 'hex').toString('base64');
}
/** The composite SHA-256 S3 keeps for the bundle uploaded in parts of PART_SIZE. */
async function compositeChecksum(file, signal) {
    const digests = [];
    let part = (0,external_node_crypto_.createHash)('sha256');
    let inPart = 0;
    const bytes = (0,external_node_fs_.createReadStream)(file, { highWaterMark: 1 << 20 });
    for await (const chunk of bytes) {
        signal?.throwIfAborted();
        for (let offset = 0; offset < chunk.length;) {
            const take = Math.min(PART_SIZE - inPart, chunk.length - offset);
            part.update(chunk.subarray(offset, offset + take));
            inPart += take;
            offset += take;
            if (inPart === PART_SIZE) {
                digests.push(part.digest());
                part = (0,external_node_crypto_.createHash)('sha256');
                inPart = 0;
            }
        }
    }
    if (inPart > 0 || digests.length === 0)
        digests.push(part.digest());
    const joined = (0,external_node_crypto_.createHash)('sha256').update(Buffer.concat(digests)).digest('base64');
    return `${joined}-${digests.length}`;
}
/** The SHA-256 checksum S3 keeps for this bundle as this action uploads it: whole, or in parts. */
function expectedChecksum(bundle, signal) {
    return multipart(bundle.size)
        ? compositeChecksum(bundle.file, signal)
        : Promise.resolve(fullChecksum(bundle.sha256));
}
/** What sits at `key`: its ETag, version and SHA-256 checksum; undefined when nothing does. */
async function headObject(gateway, bucket, key, signal) {
    let head;
    try {
        head = await gateway.s3.headObject({ Bucket: bucket, Key: key, checksum: true }, { patient: true, ...(signal ? { signal } : {}) });
    }
    catch (error) {
        const status = (0,errors/* httpStatus */.nG)(error);
        if ((0,errors/* errorName */.Is)(error) === 'NotFound' || (0,errors/* errorName */.Is)(error) === 'NoSuchKey' || status === 404)
            return undefined;
        throw error;
    }
    return {
        eTag: (0,s3_location/* unquoteETag */.XA)(head.ETag),
        ...(head.VersionId ? { versionId: head.VersionId } : {}),
        ...(head.ChecksumSHA256 ? { checksum: head.ChecksumSHA256 } : {})
    };
}
/**
 * What sits at the key: nothing, this very bundle (S3's SHA-256 checksum of it matches ours), or
 * something else, with the reason it is not taken. Metadata alone never decides.
 */
async function existing(request, key) {
    const { gateway, bucket, signal } = request;
    const head = await headObject(gateway, bucket, key, signal);
    if (!head)
        return { holds: false };
    const stored = head.checksum;
    if (!stored)
        return { holds: false, why: 'S3 keeps no SHA-256 checksum for it' };
    const ours = await expectedChecksum(request, signal);
    if (stored !== ours) {
        return {
            holds: false,
            why: `S3's SHA-256 checksum of it is ${stored}, this bundle's is ${ours}`
        };
    }
    const { checksum: _checksum, ...object } = head;
    return { holds: true, ...object, checksum: stored };
}
/** Incomplete uploads older than this were left by a run that was killed: nothing will finish them. */
const STALE_UPLOAD_MS = 60 * 60 * 1000;
/**
 * Aborts the incomplete multipart uploads of bundles under `keyPrefix` (keys this action names:
 * `<prefix><sha256>.<ext>`) begun more than an hour before `now`: a killed runner cannot abort its
 * own, and their parts are billed until someone does. Returns how many it aborted.
 */
async function abortStaleUploads(gateway, bucket, keyPrefix, now, signal) {
    const ours = new RegExp(`^${escapeRegExp(keyPrefix)}[0-9a-f]{64}\\.(zip|tar|tar\\.gz)$`);
    const call = { patient: true, ...(signal ? { signal } : {}) };
    let aborted = 0;
    for (const upload of await gateway.s3.multipartUploads(bucket, keyPrefix, call)) {
        const { Key, UploadId, Initiated } = upload;
        if (!Key || !UploadId || !Initiated || !ours.test(Key))
            continue;
        if (now - Initiated.getTime() < STALE_UPLOAD_MS)
            continue;
        await gateway.s3.abortMultipartUpload({ Bucket: bucket, Key, UploadId }, call);
        aborted++;
    }
    return aborted;
}
function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
async function uploadBundle(request) {
    const { gateway, bucket, sha256, signal } = request;
    const key = objectKey(request.keyPrefix, sha256, request.bundleType);
    const found = await existing(request, key);
    if (found.holds) {
        const { holds: _holds, ...object } = found;
        return { bucket, key, ...object, bytesUploaded: 0, skipped: true };
    }
    signal?.throwIfAborted();
    const params = {
        Bucket: bucket,
        Key: key,
        ContentLength: request.size,
        ContentType: (0,s3_location/* bundleContentType */._R)(request.bundleType),
        Metadata: { [SHA256_METADATA]: sha256 },
        // S3 checks the bytes against it and keeps it: the proof a later run skips on.
        ChecksumAlgorithm: 'SHA256',
        ...(multipart(request.size) ? {} : { ChecksumSHA256: fullChecksum(sha256) }),
        ...(request.sse ? { ServerSideEncryption: request.sse } : {}),
        ...(request.sseKmsKeyId ? { SSEKMSKeyId: request.sseKmsKeyId } : {}),
        // With the object itself (not a PutObjectTagging after it): there is never an untagged copy.
        ...(request.tags?.length ? { Tagging: (0,options/* taggingHeader */.tS)(request.tags) } : {})
    };
    // The composite is worked out from the file while its parts go up.
    const [result, checksum] = await Promise.all([
        gateway.s3.putObject(params, () => (0,external_node_fs_.createReadStream)(request.file), {
            partSize: PART_SIZE,
            queueSize: 4,
            onProgress: loaded => request.onProgress?.(loaded, request.size)
        }, { patient: true, ...(signal ? { signal } : {}) }),
        expectedChecksum(request, signal)
    ]);
    const versionId = 'VersionId' in result ? result.VersionId : undefined;
    const answered = 'ChecksumSHA256' in result ? result.ChecksumSHA256 : undefined;
    const uploaded = {
        bucket,
        key,
        eTag: (0,s3_location/* unquoteETag */.XA)(result.ETag),
        bytesUploaded: request.size,
        skipped: false
    };
    if (versionId)
        uploaded.versionId = versionId;
    if (found.why)
        uploaded.replaced = found.why;
    if (!answered || answered === checksum)
        uploaded.checksum = checksum;
    return uploaded;
}

;// CONCATENATED MODULE: ./src/engine/revision/rerun.ts
/**
 * Re-runs that cost almost nothing. The tree about to be packaged is looked up in the runner's
 * cache (./cache.ts) by its shape, then compared by the digest of its contents
 * (./bundle/digest.ts). When this machine built and uploaded a bundle from the same tree before,
 * and S3's own SHA-256 checksum of the object at that bundle's key is the one recorded then, the
 * object is that bundle byte for byte: packaging and upload are skipped. Anything else (no entry, an entry that fails its signature, no object, another object,
 * an object without a checksum) packages and uploads as usual, and the proved upload is recorded.
 */




/**
 * Looks the listed tree up; undefined when the run has no cache or cannot use it. A shape seen
 * before has its contents digested at once, to compare; a new one leaves that for `digestNow`.
 */
async function checkRerun(stage, listing, options) {
    const { settings, cacheDir } = stage;
    const { reporter, cancel, gateway } = stage.ports;
    if (!cacheDir)
        return undefined;
    const cache = await revision_cache/* BundleCache */.Hv.open(cacheDir, message => reporter.debug(message));
    if (!cache)
        return undefined;
    const { mtime, listedAt, bucket } = options;
    const shape = treeShape(listing.entries, { type: settings.bundleType, mtime });
    // Ends the digest with the run, or when the upload it would be recorded for fails.
    const stopDigest = new AbortController();
    const signal = cancel.signal
        ? AbortSignal.any([cancel.signal, stopDigest.signal])
        : stopDigest.signal;
    let digesting;
    const digest = () => {
        digesting ??= (async () => {
            const started = performance.now();
            const tree = await treeDigest(listing.entries, {
                type: settings.bundleType,
                mtime,
                listedAt,
                signal
            }).catch(() => undefined);
            reporter.debug(tree
                ? `Tree digest ${tree.digest} in ${Math.round(performance.now() - started)} ms (cache ${cacheDir}).`
                : 'Re-run cache: a file could not be read or changed while it was digested.');
            return tree;
        })();
        return digesting;
    };
    const rerun = {
        digestNow: () => void digest(),
        abandon: () => stopDigest.abort(),
        async remember(bundle, checksum) {
            const tree = await digest();
            if (!checksum || !tree)
                return;
            if (!tree.unchanged()) {
                reporter.debug('Re-run cache: a file changed after the listing began; not recorded.');
                return;
            }
            await cache.put(shape, { tree: tree.digest, ...bundle, checksum });
        }
    };
    const cached = await cache.get(shape);
    if (!cached)
        return rerun;
    const tree = await digest();
    if (tree?.digest !== cached.tree)
        return rerun;
    const key = objectKey(settings.keyPrefix, cached.sha256, settings.bundleType);
    const object = await headObject(gateway, bucket, key, cancel.signal);
    if (object?.checksum !== cached.checksum) {
        const found = !object
            ? 'holds nothing'
            : object.checksum
                ? `holds an object whose SHA-256 checksum is ${object.checksum}, not ${cached.checksum}`
                : 'holds an object without a SHA-256 checksum';
        reporter.debug(`Re-run cache: s3://${bucket}/${key} ${found}; packaging again.`);
        return rerun;
    }
    rerun.hit = { bundle: cached, key, object };
    return rerun;
}
/** The log line of a skipped packaging: what was reused, and why that is safe. */
function reuseLine(bucket, hit) {
    const name = external_node_path_default().posix.basename(hit.key);
    return `Packaging and upload skipped: this tree (same files, modes and times) gave ${name} before, and S3's own SHA-256 checksum of s3://${bucket}/${hit.key} is the one recorded when it was uploaded, so the object is that bundle byte for byte.`;
}

;// CONCATENATED MODULE: ./src/engine/revision/package.ts
/**
 * The `source` as a bundle: check the appspec, package the tree (or, on a re-run of the same tree,
 * prove that S3 holds its bundle already: ./rerun.ts), write it to `bundle-path` when asked,
 * upload it (skipped when S3 holds this exact bundle), publish it elsewhere when asked, and
 * register it with the application.
 */














async function checkAppSpecFile(stage) {
    const { settings, record } = stage;
    const { reporter } = stage.ports;
    record.stage = 'appspec';
    try {
        const result = await (0,appspec/* checkAppSpec */.Nm)(settings.source, settings.appspec);
        if (result.injected)
            reporter.info(`${(0,revision_stage/* shown */.S)(stage, result.path)} goes into the bundle as appspec.yml (source has none of its own).`);
        for (const warning of result.warnings)
            reporter.warning(warning, { file: (0,revision_stage/* shown */.S)(stage, result.path), title: 'appspec' });
        reporter.info(`${(0,revision_stage/* shown */.S)(stage, result.path)}: ${result.spec.os}, ${Object.keys(result.spec.hooks).length} hook(s), ${result.spec.files.length} file mapping(s)`);
        return {
            hookScripts: result.hookScripts,
            ...(result.injected ? { injected: result.path } : {})
        };
    }
    catch (error) {
        throw (0,revision_stage/* pointAt */.s)(stage, error);
    }
}
/**
 * Puts the `appspec` input's file into the listing as appspec.yml, where the walk would have put
 * one at the source's root (entries in name order), dated and permitted like every file, so the
 * same inputs give the same bytes.
 */
async function addAppSpec(entries, file) {
    const { size } = await (0,promises_.stat)(file);
    const name = 'appspec.yml';
    const at = entries.findIndex(e => (e.rel.split('/')[0] ?? '') > name);
    const entry = { kind: 'file', rel: name, abs: file, mode: 0o644, size };
    entries.splice(at < 0 ? entries.length : at, 0, entry);
}
/** Aborts the prefix's multipart uploads that killed runs left behind, saying how many. */
async function abortLeftovers(stage, bucket) {
    const prefix = stage.settings.keyPrefix;
    const { ports } = stage;
    try {
        const count = await abortStaleUploads(ports.gateway, bucket, prefix, ports.clock.now(), ports.cancel.signal);
        if (count > 0)
            ports.reporter.info(`Aborted ${count} incomplete upload${count === 1 ? '' : 's'} under s3://${bucket}/${prefix} older than an hour (left by a cancelled or killed run).`);
    }
    catch (error) {
        if (!(0,errors/* isAccessDenied */.w7)(error))
            throw error;
        ports.reporter.warning(`Cannot list incomplete uploads in s3://${bucket}/${prefix} (access denied), so those a killed run left are not aborted. Allow s3:ListBucketMultipartUploads on the bucket, or add an AbortIncompleteMultipartUpload lifecycle rule (see the README).`);
    }
}
function tellWarnings(stage, warnings) {
    for (const warning of warnings) {
        const file = (0,revision_stage/* shown */.S)(stage, external_node_path_default().join(stage.settings.source, warning.rel));
        stage.ports.reporter.warning(warning.message, { file, title: warning.title });
    }
}
function counts(listing) {
    let files = 0;
    let directories = 0;
    let links = 0;
    for (const entry of listing.entries) {
        if (entry.kind === 'file')
            files++;
        else if (entry.kind === 'dir')
            directories++;
        else
            links++;
    }
    const excluded = listing.excluded ? `, ${listing.excluded} excluded` : '';
    return `${files} files, ${directories} directories, ${links} links${excluded}`;
}
async function makeBundle(stage, outFile, checked, bucket) {
    const { hookScripts } = checked;
    const { settings } = stage;
    const { reporter, clock, cancel } = stage.ports;
    const time = await entryTime({
        source: settings.source,
        ...(stage.sourceDateEpoch ? { sourceDateEpoch: stage.sourceDateEpoch } : {}),
        ...(stage.sha ? { sha: stage.sha } : {}),
        now: () => clock.now()
    });
    reporter.info(`Entries dated ${time.time.toISOString()}: ${time.from}.`);
    const signal = cancel.signal ? { signal: cancel.signal } : {};
    // Compared with the files' own change times: the real clock, not the run's.
    const listedAt = Date.now();
    const listing = await listEntries(settings.source, { skip: outFile, ...signal });
    markExecutables(listing.entries, hookScripts, listing.rules, settings.source);
    if (checked.injected)
        await addAppSpec(listing.entries, checked.injected);
    // Only a bundle nobody needs as a file can be left unmade, and only a dated one made again;
    // the re-run cache knows the source's tree only, not an appspec from elsewhere.
    const fileWanted = settings.bundlePath !== undefined || stage.publishBundle !== undefined;
    const rerun = bucket && !fileWanted && !time.current && !checked.injected
        ? await checkRerun(stage, listing, { mtime: time.time, listedAt, bucket })
        : undefined;
    if (rerun?.hit) {
        tellWarnings(stage, listing.warnings);
        reporter.info(`${counts(listing)}: ${rerun.hit.bundle.size} bytes, sha256 ${rerun.hit.bundle.sha256}`);
        reporter.info(reuseLine(bucket ?? '', rerun.hit));
        const files = listing.entries.filter(e => e.kind === 'file').length;
        return { reused: rerun.hit, files };
    }
    const bundle = await createBundle({
        source: settings.source,
        type: settings.bundleType,
        outFile,
        executables: hookScripts,
        mtime: time.time,
        listing,
        ...signal
    });
    tellWarnings(stage, bundle.warnings);
    reporter.info(`${counts(listing)}: ${bundle.size} bytes, sha256 ${bundle.sha256}`);
    if (settings.bundlePath)
        reporter.info(`Bundle written to ${settings.bundlePath}.`);
    return { bundle, ...(rerun ? { rerun } : {}) };
}
async function upload(stage, bucket, bundle) {
    const { settings, ports } = stage;
    const { reporter } = ports;
    return reporter.group(`Uploading to s3://${bucket}`, async () => {
        await abortLeftovers(stage, bucket);
        let lastShown = 0;
        const result = await uploadBundle({
            gateway: ports.gateway,
            file: bundle.path,
            size: bundle.size,
            sha256: bundle.sha256,
            bundleType: settings.bundleType,
            bucket,
            keyPrefix: settings.keyPrefix,
            ...(settings.sse ? { sse: settings.sse } : {}),
            ...(settings.sseKmsKeyId ? { sseKmsKeyId: settings.sseKmsKeyId } : {}),
            ...(settings.s3Tags ? { tags: settings.s3Tags } : {}),
            ...(ports.cancel.signal ? { signal: ports.cancel.signal } : {}),
            onProgress: (loaded, total) => {
                const percent = total ? Math.floor((loaded / total) * 100) : 100;
                if (percent >= lastShown + 25 && percent < 100) {
                    lastShown = percent;
                    reporter.info(`  ${percent}% (${loaded} of ${total} bytes)`);
                }
            }
        });
        if (result.replaced)
            reporter.warning(`s3://${bucket}/${result.key} was already there but is not this bundle (${result.replaced}): uploaded it again. Check who else writes to this bucket and prefix.`);
        reporter.info(result.skipped
            ? `s3://${bucket}/${result.key} already holds this bundle (S3's SHA-256 checksum matches): nothing uploaded.`
            : `Uploaded ${result.bytesUploaded} bytes to s3://${bucket}/${result.key}${settings.s3Tags ? `, tagged ${tagList(settings.s3Tags)}` : ''}`);
        if (result.skipped)
            tagsKept(stage, bucket, result.key);
        return result;
    });
}
const tagList = (tags) => tags.map(t => `${t.Key}=${t.Value}`).join(', ');
/**
 * `s3-tags` with a bundle S3 already holds: the object's tags are left as they are. The key is
 * the bundle's hash, so other runs and workflows (staging and prod alike) may share the object;
 * retagging it would change what their tags say (and what tag-based lifecycle rules do to it).
 */
function tagsKept(stage, bucket, key) {
    const tags = stage.settings.s3Tags;
    if (!tags)
        return;
    if (stage.record.bundle)
        stage.record.bundle.tagsKept = true;
    stage.ports.reporter.notice(`s3://${bucket}/${key} was already in S3, so its tags are not changed (s3-tags ${tagList(tags)} not applied): the object may be shared with other runs. Tag it with aws s3api put-object-tagging if it needs these.`);
}
/** Puts the bundle in S3, or takes the proof that it is there; the revision. */
async function uploadRevision(stage, bucket, made) {
    const { settings, record } = stage;
    record.stage = 'upload';
    let uploaded;
    if ('reused' in made) {
        await abortLeftovers(stage, bucket);
        tagsKept(stage, bucket, made.reused.key);
        uploaded = { key: made.reused.key, ...made.reused.object, skipped: true };
    }
    else {
        const uploading = upload(stage, bucket, made.bundle);
        made.rerun?.digestNow();
        const result = await uploading.catch((error) => {
            // Not left reading the whole tree after the step has failed.
            made.rerun?.abandon();
            throw error;
        });
        await made.rerun?.remember(made.bundle, result.checksum);
        uploaded = result;
    }
    if (record.bundle)
        record.bundle.uploaded = !uploaded.skipped;
    const revision = {
        bucket,
        key: uploaded.key,
        bundleType: settings.bundleType,
        eTag: uploaded.eTag
    };
    if (uploaded.versionId)
        revision.version = uploaded.versionId;
    record.revision = revision;
    stage.ports.changed();
    return revision;
}
/**
 * Packages `source`, uploads it and registers it; the revision it made, or undefined when the
 * bundle only went to `bundle-path` (command `package` without a bucket: no S3 call at all).
 */
async function packageAndUpload(stage) {
    const { settings, record, ports } = stage;
    const { reporter, gateway } = ports;
    const bucket = settings.bucket;
    if (!bucket && !settings.bundlePath)
        throw new engine_errors/* InputError */.dz("Input 'bucket' is required to upload the bundle.");
    // The stage starts with its log group: a cancel seen there came in this stage.
    record.stage = 'appspec';
    const checked = await reporter.group('Checking appspec', () => checkAppSpecFile(stage));
    if (bucket) {
        record.stage = 'upload';
        await checkBucket(gateway, bucket, ports.cancel.signal);
    }
    const outFile = settings.bundlePath ??
        external_node_path_default().join(stage.tempDir, `bundle.${(0,s3_location/* bundleExtension */.WL)(settings.bundleType)}`);
    try {
        record.stage = 'package';
        const made = await reporter.group(`Packaging ${(0,revision_stage/* shown */.S)(stage, settings.source) || '.'} as ${settings.bundleType}`, () => makeBundle(stage, outFile, checked, bucket));
        const facts = 'reused' in made
            ? { ...made.reused.bundle, files: made.files, reused: true }
            : { sha256: made.bundle.sha256, size: made.bundle.size, files: made.bundle.files };
        record.bundle = {
            sha256: facts.sha256,
            size: facts.size,
            files: facts.files,
            uploaded: false,
            ...(settings.bundlePath ? { path: settings.bundlePath } : {}),
            ...('reused' in facts ? { reused: true } : {}),
            ...(bucket && settings.s3Tags
                ? { tags: settings.s3Tags.map(t => `${t.Key}=${t.Value}`) }
                : {})
        };
        ports.changed();
        const revision = bucket ? await uploadRevision(stage, bucket, made) : undefined;
        const publisher = stage.publishBundle;
        if (publisher && 'bundle' in made) {
            record.stage = 'publish';
            const id = await reporter.group(publisher.title, () => publisher.publish(made.bundle));
            record.artifact = { name: publisher.name, ...(id !== undefined ? { id } : {}) };
            ports.changed();
        }
        if (revision && settings.application) {
            record.stage = 'register';
            await gateway.registerRevision(settings.application, (0,s3_location/* revisionLocation */.bI)(revision), (0,description/* cutDescription */.zs)(stage.description));
            reporter.info(`Registered ${(0,s3_location/* s3Url */.AB)(revision)} with application '${settings.application}'.`);
        }
        return revision;
    }
    finally {
        if (!settings.bundlePath)
            await (0,promises_.rm)(outFile, { force: true });
    }
}


/***/ })

};
