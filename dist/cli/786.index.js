export const id = 786;
export const ids = [786];
export const modules = {

/***/ 3302:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Kx: () => (/* binding */ PLACEHOLDER),
/* harmony export */   Rj: () => (/* binding */ FAMILY_REVISION),
/* harmony export */   fr: () => (/* binding */ checkEcsProperties),
/* harmony export */   sv: () => (/* binding */ TASK_DEFINITION_ARN)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);
/**
 * The Properties of an ECS AppSpec's TargetService: the task definition to deploy, the container
 * and port the load balancer sends traffic to, and the optional platform version, awsvpc network
 * settings and capacity provider strategy of the replacement task set.
 */

const ECS_KEYS = [
    'TaskDefinition',
    'LoadBalancerInfo',
    'PlatformVersion',
    'NetworkConfiguration',
    'CapacityProviderStrategy'
];
const LOAD_BALANCER_KEYS = ['ContainerName', 'ContainerPort'];
const NETWORK_KEYS = ['AwsvpcConfiguration'];
const AWSVPC_KEYS = ['Subnets', 'SecurityGroups', 'AssignPublicIp'];
const STRATEGY_KEYS = ['Base', 'CapacityProvider', 'Weight'];
/** Limits of ECS's awsvpcConfiguration. */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[\w-]+:\d+$/;
const PLACEHOLDER = /^<[^<>]+>$/;
/** A task definition's family and revision, as ECS names one short of its ARN. */
const FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}:\d+$/;
function checkEcsProperties(ctx, props, at) {
    const fields = ctx.fields(props, ECS_KEYS, 'Properties');
    ctx.rejectUnknown(fields, ECS_KEYS, 'the Properties of an ECS service');
    const taskField = ctx.need(fields, 'TaskDefinition', at, "Add 'TaskDefinition: <TASK_DEFINITION>' (the action fills in the ARN it registers from 'task-definition') or the task definition's ARN.");
    const taskDefinition = ctx.string(taskField, 'the task definition ARN, or a placeholder such as <TASK_DEFINITION>');
    if (!TASK_DEFINITION_ARN.test(taskDefinition) && !PLACEHOLDER.test(taskDefinition)) {
        ctx.warnings.push(`${ctx.fileName}: TaskDefinition '${taskDefinition}' is neither a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) nor a placeholder such as <TASK_DEFINITION>; CodeDeploy needs the full ARN unless 'task-definition' replaces it.`);
    }
    const lbField = ctx.need(fields, 'LoadBalancerInfo', at, "Add 'LoadBalancerInfo:' with ContainerName and ContainerPort: the container and port the load balancer sends traffic to.");
    const lb = checkLoadBalancer(ctx, lbField);
    const ecs = { taskDefinition, ...lb };
    const platformField = ctx.field(fields, 'PlatformVersion');
    if (platformField)
        ecs.platformVersion = platformVersion(ctx, platformField);
    const network = ctx.field(fields, 'NetworkConfiguration');
    if (network)
        checkNetwork(ctx, network);
    const strategy = ctx.field(fields, 'CapacityProviderStrategy');
    if (strategy)
        checkStrategy(ctx, strategy);
    return ecs;
}
function checkLoadBalancer(ctx, field) {
    const map = ctx.map(field, 'with ContainerName and ContainerPort');
    const fields = ctx.fields(map, LOAD_BALANCER_KEYS, 'LoadBalancerInfo');
    ctx.rejectUnknown(fields, LOAD_BALANCER_KEYS, 'LoadBalancerInfo');
    const name = ctx.need(fields, 'ContainerName', field.key, "Add 'ContainerName: <name>', the container in the task definition that receives traffic.");
    const port = ctx.need(fields, 'ContainerPort', field.key, "Add 'ContainerPort: <port>', the container port the load balancer sends traffic to.");
    return {
        containerName: ctx.string(name, "the name of a container in the task definition (e.g. 'web')"),
        containerPort: ctx.integer(port, 1, 65535, '80')
    };
}
function platformVersion(ctx, field) {
    const node = field.value;
    if ((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(node) && typeof node.value === 'number') {
        const written = node.source ?? String(node.value);
        throw ctx.fail(node, `PlatformVersion ${written} is read as a number. Quote it: PlatformVersion: "${written}" (or use LATEST).`);
    }
    return ctx.string(field, "a Fargate platform version such as 'LATEST' or '1.4.0'");
}
function checkNetwork(ctx, field) {
    const map = ctx.map(field, "with 'AwsvpcConfiguration:' (Subnets, SecurityGroups, AssignPublicIp)");
    const fields = ctx.fields(map, NETWORK_KEYS, 'NetworkConfiguration');
    ctx.rejectUnknown(fields, NETWORK_KEYS, 'NetworkConfiguration');
    const awsvpc = ctx.need(fields, 'AwsvpcConfiguration', field.key, "Add 'AwsvpcConfiguration:' with Subnets (and optionally SecurityGroups, AssignPublicIp), or remove NetworkConfiguration.");
    const vpc = ctx.map(awsvpc, 'with Subnets, SecurityGroups and AssignPublicIp');
    const vpcFields = ctx.fields(vpc, AWSVPC_KEYS, 'AwsvpcConfiguration');
    ctx.rejectUnknown(vpcFields, AWSVPC_KEYS, 'AwsvpcConfiguration');
    const subnets = ctx.need(vpcFields, 'Subnets', awsvpc.key, "Add 'Subnets: [subnet-…]', the subnets of the replacement tasks.");
    boundedList(ctx, subnets, MAX_SUBNETS, 'subnet-');
    const groups = ctx.field(vpcFields, 'SecurityGroups');
    if (groups)
        boundedList(ctx, groups, MAX_SECURITY_GROUPS, 'sg-');
    const publicIp = ctx.field(vpcFields, 'AssignPublicIp');
    const missing = ['SecurityGroups', 'AssignPublicIp'].filter(name => !ctx.field(vpcFields, name));
    if (missing.length > 0) {
        ctx.warnings.push(`${ctx.fileName}: AwsvpcConfiguration has no ${missing.join(' or ')}. The AppSpec reference asks for all of Subnets, SecurityGroups and AssignPublicIp or none of them (without NetworkConfiguration CodeDeploy keeps the service's network settings); give ${missing.join(' and ')} too.`);
    }
    if (publicIp) {
        const value = ctx.text(publicIp.value);
        if (value !== 'ENABLED' && value !== 'DISABLED') {
            const upper = value?.toUpperCase();
            const hint = upper === 'ENABLED' || upper === 'DISABLED'
                ? ` Write it in capitals: AssignPublicIp: ${upper}.`
                : ' Use ENABLED or DISABLED.';
            throw ctx.fail(publicIp.value ?? publicIp.key, `AssignPublicIp '${(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(publicIp.value) ? String(publicIp.value.source ?? publicIp.value.value) : ''}' is not known.${hint}`);
        }
    }
}
function boundedList(ctx, field, max, prefix) {
    const ids = ctx.stringList(field);
    if (ids.length === 0) {
        throw ctx.fail(field.value ?? field.key, `'${field.name}' is empty. List at least one ${prefix}… ID.`);
    }
    if (ids.length > max) {
        throw ctx.fail(field.value ?? field.key, `'${field.name}' lists ${ids.length} IDs, but ECS takes at most ${max}. Remove ${ids.length - max}.`);
    }
}
function checkStrategy(ctx, field) {
    const example = "'- CapacityProvider: FARGATE' (with optional Base and Weight)";
    const seq = ctx.list(field, `of providers: ${example}`);
    for (const raw of seq?.items ?? []) {
        const item = ctx.deref(raw);
        if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(item)) {
            throw ctx.fail(item ?? seq, `each CapacityProviderStrategy entry must be a mapping: ${example}.`);
        }
        const fields = ctx.fields(item, STRATEGY_KEYS, 'a CapacityProviderStrategy entry');
        ctx.rejectUnknown(fields, STRATEGY_KEYS, 'a CapacityProviderStrategy entry');
        const provider = ctx.need(fields, 'CapacityProvider', item, "Add 'CapacityProvider: <name>' (e.g. FARGATE or FARGATE_SPOT).");
        ctx.string(provider, 'the name of a capacity provider of the cluster (e.g. FARGATE)');
        const base = ctx.field(fields, 'Base');
        if (base)
            ctx.integer(base, 0, 100000, '1');
        const weight = ctx.field(fields, 'Weight');
        if (weight)
            ctx.integer(weight, 0, 1000, '1');
    }
}


/***/ }),

/***/ 5743:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  Nm: () => (/* binding */ checkAppSpec),
  GE: () => (/* reexport */ checkContentAppSpec),
  F8: () => (/* reexport */ contentSha256),
  nQ: () => (/* reexport */ parseContentAppSpec),
  bi: () => (/* reexport */ withLambdaVersions),
  $5: () => (/* reexport */ withTaskDefinition)
});

// UNUSED EXPORTS: HOOK_NAMES, MAX_EVENT_SECONDS, suggest

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/engine/errors.ts
var errors = __webpack_require__(7679);
// EXTERNAL MODULE: ./src/engine/revision/ignore-rules.ts
var ignore_rules = __webpack_require__(4532);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./src/engine/inputs/suggest.ts
var suggest = __webpack_require__(5372);
;// CONCATENATED MODULE: ./src/engine/revision/appspec/yaml.ts
/**
 * Reads appspec YAML for the rules: parses it with positions, turns a parse error or a node into
 * an AppSpecError at its line and column, and gives typed access to mappings, lists and scalars
 * (aliases resolved) with the wording the rules share.
 */



function syntaxError(error, text, lines, file, fileName) {
    const { line, col } = lines.linePos(error.pos[0]);
    let problem;
    switch (error.code) {
        case 'DUPLICATE_KEY': {
            const rest = text.slice(error.pos[0]);
            const key = /^\s*["']?([^"':\n]+)/.exec(rest)?.[1]?.trim() ?? '';
            problem = `key '${key}' appears twice in the same mapping. Keep one of them (merge their contents).`;
            break;
        }
        case 'TAB_AS_INDENT':
            problem = 'a tab is used for indentation, which YAML does not allow. Indent with spaces.';
            break;
        case 'MULTIPLE_DOCS':
            problem = "the file holds more than one YAML document ('---'). Keep a single document.";
            break;
        default:
            problem = `invalid YAML: ${error.message.split('\n')[0] ?? ''}. Fix the syntax here (indent with spaces, quote values that contain ': ' or start with a special character).`;
    }
    return new errors/* AppSpecError */.HY(`${fileName}:${line}:${col}: ${problem}`, file, line, col);
}
/**
 * Parses the appspec text (YAML, or JSON, which YAML 1.2 reads too); throws an AppSpecError at the
 * first syntax error. `fileName` is the name messages start with.
 */
function parseYaml(text, file, fileName) {
    const lines = new dist/* LineCounter */.HN();
    const doc = (0,dist.parseDocument)(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first)
        throw syntaxError(first, text, lines, file, fileName);
    return { doc, lines };
}
/** Typed access to the nodes of a parsed appspec, failing at the node that is wrong. */
class YamlReader {
    doc;
    lines;
    file;
    fileName;
    constructor(doc, lines, file, 
    /** The name messages start with: appspec.yml, or an ECS/Lambda AppSpec's path as given. */
    fileName) {
        this.doc = doc;
        this.lines = lines;
        this.file = file;
        this.fileName = fileName;
    }
    fail(node, message) {
        const offset = node?.range[0];
        if (offset === undefined)
            return new errors/* AppSpecError */.HY(`${this.fileName}: ${message}`, this.file);
        const { line, col } = this.lines.linePos(offset);
        return new errors/* AppSpecError */.HY(`${this.fileName}:${line}:${col}: ${message}`, this.file, line, col);
    }
    deref(node) {
        if ((0,dist/* isAlias */.Vj)(node))
            return node.resolve(this.doc) ?? null;
        return node ?? null;
    }
    isEmpty(node) {
        return node === null || ((0,dist/* isScalar */.jn)(node) && node.value === null);
    }
    /** Text of a string or number scalar. */
    text(node) {
        if (!(0,dist/* isScalar */.jn)(node))
            return undefined;
        if (typeof node.value === 'string')
            return node.value;
        if (typeof node.value === 'number')
            return String(node.value);
        return undefined;
    }
    fields(map, known, where) {
        const fields = [];
        for (const pair of map.items) {
            const key = this.deref(pair.key);
            const name = (0,dist/* isScalar */.jn)(key) ? String(key.value) : undefined;
            if (key === null || name === undefined) {
                throw this.fail(key ?? map, `a key in ${where} is not a plain name. Use one of: ${known.join(', ')}.`);
            }
            fields.push({ name, key, value: this.deref(pair.value) });
        }
        return fields;
    }
    rejectUnknown(fields, known, where) {
        for (const field of fields) {
            if (known.includes(field.name))
                continue;
            throw this.fail(field.key, `unknown key '${field.name}' in ${where}.${(0,suggest/* didYouMean */.a)(field.name, known)} Allowed keys: ${known.join(', ')}.`);
        }
    }
    field(fields, name) {
        return fields.find(f => f.name === name);
    }
    list(field, what) {
        if (this.isEmpty(field.value))
            return undefined;
        if (!(0,dist/* isSeq */.oP)(field.value)) {
            throw this.fail(field.value ?? field.key, `'${field.name}' must be a list ${what}.`);
        }
        return field.value;
    }
    stringList(field) {
        const seq = this.list(field, 'of strings (- item, or [a, b])');
        return (seq?.items ?? []).map(item => {
            const node = this.deref(item);
            const value = this.text(node);
            if (value === undefined)
                throw this.fail(node ?? field.value, `each '${field.name}' item must be a string.`);
            return value;
        });
    }
    string(field, what) {
        const value = this.text(field.value);
        if (value === undefined || value.trim() === '') {
            throw this.fail(field.value ?? field.key, `'${field.name}' needs ${what}.`);
        }
        return value.trim();
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/context.ts

class CheckContext extends YamlReader {
    source;
    realSource;
    label;
    excludeRules;
    warnings = [];
    hookScripts = [];
    constructor(doc, lines, file, fileName, 
    /** The source directory, absolute. */
    source, 
    /** `source` with links resolved, to tell whether a script's link leaves it. */
    realSource, 
    /** The source as the user gave it, for messages. */
    label, excludeRules) {
        super(doc, lines, file, fileName);
        this.source = source;
        this.realSource = realSource;
        this.label = label;
        this.excludeRules = excludeRules;
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/paths.ts
/**
 * Paths as the agent reads them from an appspec (a leading `/` is the bundle root), plus the
 * file-system helpers and exclusion wording shared by locating the appspec and by the rules that
 * check the paths it names.
 */


function isMissing(code) {
    return code === 'ENOENT' || code === 'ENOTDIR';
}
function errnoCode(error) {
    return error?.code;
}
function toPosix(p) {
    return p.split((external_node_path_default()).sep).join('/');
}
function inside(root, candidate) {
    const rel = external_node_path_default().relative(root, candidate);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${(external_node_path_default()).sep}`) && !external_node_path_default().isAbsolute(rel));
}
function bundlePath(given, windows) {
    const slashed = windows ? given.replace(/\\/g, '/') : given;
    const driveLetter = /^[a-zA-Z]:/.test(slashed);
    const trimmed = slashed.replace(/^\/+/, '');
    const normal = external_node_path_default().posix.normalize(trimmed === '' ? '.' : trimmed).replace(/\/+$/, '');
    const escapes = normal === '..' || normal.startsWith('../');
    return { rel: normal === '.' ? '' : normal, escapes, driveLetter };
}
function excludedBy(rel) {
    return rel.split('/').includes('.git')
        ? 'inside .git, which is never packaged'
        : `excluded by ${ignore_rules/* IGNORE_FILE */.SV}`;
}
function excludedFix(rel) {
    return rel.split('/').includes('.git')
        ? 'Move it out of .git.'
        : `Remove the ${ignore_rules/* IGNORE_FILE */.SV} rule that matches it, or add '!${rel}' after it.`;
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/locate.ts
/**
 * Finds appspec.yml (or .yaml) at the root of the source directory. When it is not there, says
 * why: no source, a file instead of a directory, an empty one, both names, the wrong case, or an
 * appspec a few levels down (with the `source` that would reach it).
 */




/** Looks a little way down the tree for an appspec, to tell the user where it is. */
async function findNested(source) {
    const maxDepth = 3;
    let budget = 500;
    let level = [''];
    for (let depth = 1; depth <= maxDepth && level.length > 0; depth++) {
        const next = [];
        for (const rel of level) {
            if (budget-- <= 0)
                return undefined;
            let entries;
            try {
                entries = await (0,promises_.readdir)(external_node_path_default().join(source, rel), { withFileTypes: true });
            }
            catch {
                continue;
            }
            entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            for (const entry of entries) {
                const child = rel ? `${rel}/${entry.name}` : entry.name;
                if (depth > 1 && entry.isFile() && /^appspec\.ya?ml$/i.test(entry.name))
                    return child;
                if (entry.isDirectory() && entry.name !== '.git' && entry.name !== 'node_modules') {
                    next.push(child);
                }
            }
        }
        level = next;
    }
    return undefined;
}
/** Finds appspec.yml/.yaml at the root of the source, or explains where it is instead. */
async function locate(source, label) {
    const where = label === source ? `'${label}'` : `'${label}' (${source})`;
    let info;
    try {
        info = await (0,promises_.stat)(source);
    }
    catch (error) {
        if (!isMissing(errnoCode(error)))
            throw error;
        throw new errors/* InputError */.dz(`Source directory ${where} does not exist. Set 'source' to the directory that holds appspec.yml, relative to the workspace, and make sure the checkout or build step that fills it ran first.`);
    }
    if (!info.isDirectory()) {
        throw new errors/* InputError */.dz(`Source ${where} is a file, not a directory. Set 'source' to the directory that holds appspec.yml.`);
    }
    const names = (await (0,promises_.readdir)(source)).sort();
    if (names.length === 0) {
        throw new errors/* InputError */.dz(`Source directory ${where} is empty. Check out or build the revision into it first, or set 'source' to the directory that holds appspec.yml.`);
    }
    const yml = names.includes('appspec.yml');
    const yaml = names.includes('appspec.yaml');
    if (yml && yaml) {
        throw new errors/* InputError */.dz(`Source ${where} has both appspec.yml and appspec.yaml; the agent reads only one of them. Delete the other.`);
    }
    if (yml || yaml) {
        const fileName = yml ? 'appspec.yml' : 'appspec.yaml';
        const file = external_node_path_default().join(source, fileName);
        if (!(await (0,promises_.stat)(file)).isFile()) {
            throw new errors/* InputError */.dz(`${toPosix(external_node_path_default().join(label, fileName))} is not a file. Replace it with the appspec file.`);
        }
        return { file, fileName };
    }
    const wrongCase = names.find(name => /^appspec\.ya?ml$/i.test(name));
    if (wrongCase) {
        const right = wrongCase.toLowerCase();
        throw new errors/* InputError */.dz(`Found '${wrongCase}' in ${where}, but the agent looks for '${right}' in lower case (instance file systems are case-sensitive). Rename it: git mv ${wrongCase} ${right}.`);
    }
    const nested = await findNested(source);
    if (nested) {
        const dir = external_node_path_default().posix.dirname(nested);
        const suggested = external_node_path_default().posix.join(label.split((external_node_path_default()).sep).join('/'), dir);
        throw new errors/* InputError */.dz(`No appspec.yml at the root of ${where}, but found ${nested}: set source to '${suggested}'. The appspec must be at the root of the bundle.`);
    }
    throw new errors/* InputError */.dz(`No appspec.yml at the root of ${where}. Add one there (version: 0.0, os, files, hooks), or set 'source' to the directory that holds it.`);
}
/**
 * With the `appspec` input, for an EC2/on-premises group: the file that goes into the bundle as
 * appspec.yml. The source's own appspec.yml (or .yaml) is taken when it is that very file or the
 * same bytes; one that differs is refused, so that nobody deploys the wrong one unknowingly.
 */
async function locateGiven(source, label, given) {
    const where = label === source ? `'${label}'` : `'${label}' (${source})`;
    const info = await (0,promises_.stat)(source).catch((error) => {
        if (!isMissing(errnoCode(error)))
            throw error;
        throw new errors/* InputError */.dz(`Source directory ${where} does not exist. Set 'source' to the directory whose files the appspec deploys, relative to the workspace, and make sure the checkout or build step that fills it ran first.`);
    });
    if (!info.isDirectory())
        throw new errors/* InputError */.dz(`Source ${where} is a file, not a directory. Set 'source' to a directory.`);
    const givenInfo = await (0,promises_.stat)(given).catch(() => undefined);
    if (!givenInfo?.isFile())
        throw new errors/* InputError */.dz(`Input 'appspec' ${given} ${givenInfo ? 'is not a file' : 'does not exist'}. Set it to the appspec file, relative to the workspace, e.g. 'deploy/appspec-prod.yml'.`);
    const names = (await (0,promises_.readdir)(source)).filter(n => n === 'appspec.yml' || n === 'appspec.yaml');
    if (names.length === 2)
        throw new errors/* InputError */.dz(`Source ${where} has both appspec.yml and appspec.yaml; the agent reads only one of them. Delete both to deploy 'appspec' instead.`);
    const own = names[0];
    if (!own)
        return { file: given, fileName: 'appspec.yml', injected: true };
    const ownFile = external_node_path_default().join(source, own);
    const same = (await (0,promises_.realpath)(ownFile)) === (await (0,promises_.realpath)(given)) ||
        (await (0,promises_.readFile)(ownFile)).equals(await (0,promises_.readFile)(given));
    if (!same)
        throw new errors/* InputError */.dz(`Input 'appspec' (${given}) and ${toPosix(external_node_path_default().join(label, own))}, already at the root of source, differ; the bundle holds one appspec, and the agent reads the one at its root. Remove 'appspec' to deploy ${own}, or delete ${own} from source (or make the two the same) to deploy 'appspec'.`);
    return { file: ownFile, fileName: own, injected: false };
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/rules/file-exists-behavior.ts
const FILE_EXISTS_BEHAVIORS = ['DISALLOW', 'OVERWRITE', 'RETAIN'];
function checkFileExistsBehavior(ctx, field) {
    const value = ctx.text(field.value);
    const found = FILE_EXISTS_BEHAVIORS.find(b => b === value);
    if (found)
        return found;
    throw ctx.fail(field.value ?? field.key, `file_exists_behavior is '${value ?? ''}'. Use DISALLOW, OVERWRITE or RETAIN (upper case).`);
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/rules/files.ts
/**
 * The `files` section: each entry copies a `source` inside the bundle to an absolute
 * `destination` on the instance. The source must exist in the source directory and not be left
 * out of the bundle.
 */




const FILE_KEYS = ['source', 'destination'];
async function checkFiles(ctx, field, os) {
    const seq = ctx.list(field, "of '- source: …' / '  destination: …' entries");
    const mappings = [];
    for (const raw of seq?.items ?? []) {
        const item = ctx.deref(raw);
        if (!(0,dist/* isMap */.jh)(item)) {
            throw ctx.fail(item ?? seq, "each 'files' entry must be a mapping: '- source: <path in the bundle>' with 'destination: <path on the instance>' below it.");
        }
        const fields = ctx.fields(item, FILE_KEYS, "a 'files' entry");
        for (const f of fields) {
            if (f.name === 'file_exists_behavior') {
                throw ctx.fail(f.key, "'file_exists_behavior' goes at the top level of the appspec, not inside a 'files' entry. Move it out (no indentation).");
            }
        }
        ctx.rejectUnknown(fields, FILE_KEYS, "a 'files' entry");
        const sourceField = ctx.field(fields, 'source');
        const destinationField = ctx.field(fields, 'destination');
        if (!sourceField) {
            throw ctx.fail(item, "this 'files' entry has no 'source'. Give a path inside the bundle ('/' for all of it).");
        }
        if (!destinationField) {
            throw ctx.fail(item, "this 'files' entry has no 'destination'. Give an absolute path on the instance.");
        }
        const source = ctx.string(sourceField, "a path inside the bundle ('/' for all of it)");
        const destination = ctx.string(destinationField, 'an absolute path on the instance');
        const absolute = os === 'linux' ? destination.startsWith('/') : /^[a-zA-Z]:[\\/]|^\\\\/.test(destination);
        if (!absolute) {
            throw ctx.fail(destinationField.value, `destination '${destination}' is not an absolute ${os} path. Give the full path on the instance, e.g. ${os === 'linux' ? '/var/www/app' : 'C:\\inetpub\\app'}.`);
        }
        await checkInBundle(ctx, sourceField.value, source, os, 'source');
        mappings.push({ source, destination });
    }
    return mappings;
}
/** Checks that a files source is a path inside the bundle that exists and is not excluded. */
async function checkInBundle(ctx, node, given, os, what) {
    const target = bundlePath(given, os === 'windows');
    if (target.driveLetter) {
        throw ctx.fail(node, `${what} '${given}' is a drive path. Give it relative to the bundle root (where appspec.yml is).`);
    }
    if (target.escapes) {
        throw ctx.fail(node, `${what} '${given}' leaves the bundle with '..'. Use a path inside ${ctx.label}.`);
    }
    if (target.rel === '')
        return;
    let info;
    try {
        info = await (0,promises_.lstat)(external_node_path_default().join(ctx.source, target.rel));
    }
    catch (error) {
        if (!isMissing(errnoCode(error)))
            throw error;
        throw ctx.fail(node, `${what} '${given}' does not exist in ${ctx.label}. Fix the path (it is relative to the bundle root, where appspec.yml is) or add it to the source.`);
    }
    if (ctx.excludeRules.excludes(target.rel, info.isDirectory())) {
        throw ctx.fail(node, `${what} '${given}' is ${excludedBy(target.rel)}, so it would not be in the bundle. ${excludedFix(target.rel)}`);
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/types.ts
/**
 * What a checked EC2/on-premises appspec reads as: the lifecycle events a server deployment runs,
 * the shapes of its sections, and the result `checkAppSpec` returns.
 */
/** Lifecycle events a server (in-place or blue/green) deployment runs scripts for. */
const HOOK_NAMES = [
    'ApplicationStop',
    'BeforeInstall',
    'AfterInstall',
    'ApplicationStart',
    'ValidateService',
    'BeforeBlockTraffic',
    'AfterBlockTraffic',
    'BeforeAllowTraffic',
    'AfterAllowTraffic'
];
/** The most seconds CodeDeploy gives one lifecycle event (and so one script). */
const MAX_EVENT_SECONDS = 3600;

;// CONCATENATED MODULE: ./src/engine/revision/appspec/rules/hook-script.ts
/**
 * The file a hook's `location` names: it must be a regular file inside the bundle (links
 * resolved), not left out by the ignore rules, and on Linux free of a CRLF shebang line. Records
 * it for the bundle to mark executable, and warns when it lacks the execute bit here.
 */



async function checkScript(ctx, node, location, hook, os) {
    const target = bundlePath(location, os === 'windows');
    if (target.driveLetter) {
        throw ctx.fail(node, `script '${location}' is a drive path. Give it relative to the bundle root (where appspec.yml is).`);
    }
    if (target.escapes) {
        throw ctx.fail(node, `script '${location}' leaves the bundle with '..'. Keep hook scripts inside ${ctx.label}.`);
    }
    if (target.rel === '')
        throw ctx.fail(node, `location '${location}' is the bundle root, not a script. Give the script's path.`);
    const absolute = external_node_path_default().join(ctx.source, target.rel);
    let real;
    try {
        real = await (0,promises_.realpath)(absolute);
    }
    catch (error) {
        if (!isMissing(errnoCode(error)))
            throw error;
        const dangling = await (0,promises_.lstat)(absolute).then(() => true, () => false);
        throw ctx.fail(node, dangling
            ? `script '${location}' for ${hook} is a link to a file that does not exist. Fix the link or point location at the script itself.`
            : `script '${location}' for ${hook} does not exist in ${ctx.label}. Fix the path (relative to the bundle root, where appspec.yml is) or add the script.`);
    }
    if (!inside(ctx.realSource, real)) {
        throw ctx.fail(node, `script '${location}' is a link to ${real}, outside the bundle, so the instance would not have it. Copy the script into ${ctx.label}.`);
    }
    const info = await (0,promises_.stat)(real);
    if (!info.isFile()) {
        throw ctx.fail(node, `script '${location}' for ${hook} is ${info.isDirectory() ? 'a directory' : 'not a regular file'}. Point location at the script file.`);
    }
    const realRel = toPosix(external_node_path_default().relative(ctx.realSource, real));
    for (const rel of new Set([target.rel, realRel])) {
        if (ctx.excludeRules.excludes(rel, false)) {
            throw ctx.fail(node, `script '${location}' is ${excludedBy(rel)}, so the instance would not have it. ${excludedFix(rel)}`);
        }
    }
    if (os === 'linux') {
        if (await hasCrlfShebang(real)) {
            throw ctx.fail(node, `script '${location}' starts with '#!' but has Windows line endings (CRLF), so Linux cannot find its interpreter ('bad interpreter'). Convert it to LF line endings, e.g. with '*.sh text eol=lf' in .gitattributes.`);
        }
        if (process.platform !== 'win32' && (info.mode & 0o111) === 0) {
            ctx.warnings.push(`${ctx.fileName}: hook script ${location} is not executable here; the bundle marks it executable. To fix it at the source: git update-index --chmod=+x ${realRel}`);
        }
    }
    if (!ctx.hookScripts.includes(realRel))
        ctx.hookScripts.push(realRel);
}
async function hasCrlfShebang(file) {
    const handle = await (0,promises_.open)(file, 'r');
    try {
        const buffer = Buffer.alloc(512);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        const head = buffer.subarray(0, bytesRead).toString('latin1');
        if (!head.startsWith('#!'))
            return false;
        const end = head.indexOf('\n');
        return end > 0 && head[end - 1] === '\r';
    }
    finally {
        await handle.close();
    }
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/rules/hooks.ts
/**
 * The `hooks` section of a server deployment: each lifecycle event maps to a list of scripts with
 * an optional timeout and runas. Explains the events CodeDeploy runs itself and the names of the
 * first agent releases, and keeps the timeouts of one event within what CodeDeploy allows.
 */




/** Events CodeDeploy runs itself: why no script can go there, and where to put it instead. */
const RESERVED_HOOKS = {
    Start: { why: 'CodeDeploy runs it itself to begin the deployment', use: 'ApplicationStop' },
    DownloadBundle: {
        why: 'the agent runs it itself to fetch the revision',
        use: 'BeforeInstall'
    },
    Install: {
        why: "the agent runs it itself to copy the 'files' entries into place",
        use: 'BeforeInstall or AfterInstall'
    },
    BlockTraffic: {
        why: 'CodeDeploy runs it itself to take the instance out of its load balancer',
        use: 'BeforeBlockTraffic or AfterBlockTraffic'
    },
    AllowTraffic: {
        why: 'CodeDeploy runs it itself to put the instance back behind its load balancer',
        use: 'BeforeAllowTraffic or AfterAllowTraffic'
    },
    End: { why: 'CodeDeploy runs it itself to finish the deployment', use: 'ValidateService' }
};
/** Names from the first agent releases; CodeDeploy no longer sends these events. */
const RENAMED_HOOKS = {
    BeforeELBRemove: 'BeforeBlockTraffic',
    AfterELBRemove: 'AfterBlockTraffic',
    BeforeELBAdd: 'BeforeAllowTraffic',
    AfterELBAdd: 'AfterAllowTraffic'
};
/** `sudo` is a leftover the agent still reads; accepted, not documented. */
const SCRIPT_KEYS = ['location', 'timeout', 'runas', 'sudo'];
async function checkHooks(ctx, field, os) {
    const hooks = {};
    if (ctx.isEmpty(field.value))
        return hooks;
    if (!(0,dist/* isMap */.jh)(field.value)) {
        const lambdaStyle = (0,dist/* isSeq */.oP)(field.value)
            ? ' (a list of hooks is the Lambda/ECS form; this action deploys EC2/on-premises revisions)'
            : '';
        throw ctx.fail(field.value, `'hooks' must map event names to lists of scripts${lambdaStyle}. Write e.g. 'AfterInstall:' with '- location: scripts/install.sh' below it.`);
    }
    for (const event of ctx.fields(field.value, HOOK_NAMES, 'hooks')) {
        checkHookName(ctx, event);
        const name = event.name;
        hooks[name] = await checkScripts(ctx, event, name, os);
    }
    return hooks;
}
function checkHookName(ctx, event) {
    const name = event.name;
    if (HOOK_NAMES.includes(name))
        return;
    const reserved = RESERVED_HOOKS[name];
    if (reserved) {
        throw ctx.fail(event.key, `hook '${name}' is reserved: ${reserved.why}. Remove it and use ${reserved.use}.`);
    }
    const renamed = RENAMED_HOOKS[name];
    if (renamed) {
        throw ctx.fail(event.key, `hook '${name}' is an old name CodeDeploy no longer runs. Rename it to ${renamed}.`);
    }
    const close = (0,suggest/* suggest */.Z)(name, [...HOOK_NAMES, ...Object.keys(RESERVED_HOOKS)]);
    if (close && RESERVED_HOOKS[close]) {
        const r = RESERVED_HOOKS[close];
        throw ctx.fail(event.key, `unknown hook '${name}'; '${close}' is reserved: ${r.why}. Remove it and use ${r.use}.`);
    }
    throw ctx.fail(event.key, `unknown hook '${name}'.${close ? ` Did you mean '${close}'?` : ''} Server deployments run: ${HOOK_NAMES.join(', ')}.`);
}
async function checkScripts(ctx, event, name, os) {
    if (ctx.isEmpty(event.value)) {
        throw ctx.fail(event.key, `hook '${name}' has no scripts. Add '- location: <script>' below it, or remove the hook.`);
    }
    if (!(0,dist/* isSeq */.oP)(event.value)) {
        throw ctx.fail(event.value, `hook '${name}' must be a list of scripts: '- location: <script>' (with optional timeout and runas).`);
    }
    const scripts = [];
    let total = 0;
    for (const raw of event.value.items) {
        const item = ctx.deref(raw);
        if (!(0,dist/* isMap */.jh)(item)) {
            const written = ctx.text(item);
            throw ctx.fail(item ?? event.value, `each ${name} entry must be a mapping with 'location'.${written ? ` Write '- location: ${written}'.` : " Write '- location: <script>'."}`);
        }
        const fields = ctx.fields(item, SCRIPT_KEYS, `a ${name} entry`);
        ctx.rejectUnknown(fields, SCRIPT_KEYS, `a ${name} entry`);
        const locationField = ctx.field(fields, 'location');
        if (!locationField)
            throw ctx.fail(item, `this ${name} entry has no 'location'. Add 'location: <script path in the bundle>'.`);
        const location = ctx.string(locationField, "the script's path inside the bundle");
        const script = { location };
        await checkScript(ctx, locationField.value, location, name, os);
        const timeoutField = ctx.field(fields, 'timeout');
        if (timeoutField) {
            script.timeout = timeout(ctx, timeoutField, location);
            total += script.timeout;
        }
        const runasField = ctx.field(fields, 'runas');
        if (runasField) {
            if (os === 'windows') {
                throw ctx.fail(runasField.key, "'runas' works on Linux only; Windows hooks run as the agent's account. Remove it.");
            }
            const runas = ctx.text(runasField.value)?.trim();
            if (!runas || !/^[a-z_][a-z0-9_.-]*\$?$/i.test(runas)) {
                throw ctx.fail(runasField.value ?? runasField.key, `runas '${runas ?? ''}' is not a user name. Give the Linux user the script runs as, e.g. runas: root.`);
            }
            script.runas = runas;
        }
        scripts.push(script);
    }
    if (total > MAX_EVENT_SECONDS) {
        throw ctx.fail(event.key, `the timeouts of ${name} add up to ${total} seconds, but one lifecycle event may take at most ${MAX_EVENT_SECONDS}. Lower them so their sum is ${MAX_EVENT_SECONDS} or less.`);
    }
    return scripts;
}
function timeout(ctx, field, location) {
    const node = field.value;
    const value = (0,dist/* isScalar */.jn)(node) ? node.value : undefined;
    // The agent converts with to_i, so a quoted number works too.
    const seconds = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof seconds !== 'number' ||
        !Number.isInteger(seconds) ||
        seconds < 1 ||
        seconds > MAX_EVENT_SECONDS) {
        const written = (0,dist/* isScalar */.jn)(node) ? (node.source ?? String(node.value)) : 'a list or mapping';
        throw ctx.fail(node ?? field.key, `timeout '${written}' for ${location} is not a whole number of seconds from 1 to ${MAX_EVENT_SECONDS}. Set e.g. 'timeout: 300'.`);
    }
    return seconds;
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/rules/permissions.ts
/**
 * The `permissions` section (Linux only): each entry names an absolute `object` on the instance
 * and the owner, group, mode, ACLs, SELinux context and types the agent applies to it. Catches
 * the values the agent would read differently from what was meant, such as an unquoted `0644`.
 */

const PERMISSION_KEYS = [
    'object',
    'pattern',
    'except',
    'owner',
    'group',
    'mode',
    'acls',
    'context',
    'type'
];
const CONTEXT_KEYS = ['name', 'user', 'type', 'range'];
function checkPermissions(ctx, field, os) {
    if (ctx.isEmpty(field.value))
        return [];
    if (os === 'windows') {
        throw ctx.fail(field.key, "'permissions' works on Linux instances only; the agent fails a Windows deployment that has it. Remove it, or set the permissions from a hook script.");
    }
    const seq = ctx.list(field, "of '- object: /path' entries");
    const permissions = [];
    for (const raw of seq?.items ?? []) {
        const item = ctx.deref(raw);
        if (!(0,dist/* isMap */.jh)(item)) {
            throw ctx.fail(item ?? seq, "each 'permissions' entry must be a mapping starting with '- object: /path/on/the/instance'.");
        }
        const fields = ctx.fields(item, PERMISSION_KEYS, "a 'permissions' entry");
        ctx.rejectUnknown(fields, PERMISSION_KEYS, "a 'permissions' entry");
        const objectField = ctx.field(fields, 'object');
        if (!objectField) {
            throw ctx.fail(item, "this 'permissions' entry has no 'object'. Add 'object: /path/on/the/instance'.");
        }
        const object = ctx.string(objectField, 'an absolute path on the instance');
        if (!object.startsWith('/')) {
            throw ctx.fail(objectField.value, `object '${object}' is not an absolute path. Give the full path on the instance, e.g. /var/www/app.`);
        }
        const permission = { object };
        for (const f of fields) {
            switch (f.name) {
                case 'pattern':
                    permission.pattern = ctx.string(f, "a glob such as '**' or '*.sh'");
                    break;
                case 'except':
                    permission.except = ctx.stringList(f);
                    break;
                case 'owner':
                case 'group':
                    permission[f.name] = userOrGroup(ctx, f);
                    break;
                case 'mode':
                    permission.mode = mode(ctx, f);
                    break;
                case 'acls':
                    permission.acls = ctx.stringList(f);
                    break;
                case 'context':
                    permission.context = selinuxContext(ctx, f);
                    break;
                case 'type':
                    permission.type = types(ctx, f);
                    break;
            }
        }
        permissions.push(permission);
    }
    return permissions;
}
function userOrGroup(ctx, field) {
    const node = field.value;
    if (!(0,dist/* isScalar */.jn)(node) || typeof node.value !== 'string' || node.value.trim() === '') {
        throw ctx.fail(node ?? field.key, `${field.name} must be a ${field.name === 'owner' ? 'user' : 'group'} name (the agent looks it up by name, not by number).`);
    }
    return node.value.trim();
}
function mode(ctx, field) {
    const node = field.value;
    if (!(0,dist/* isScalar */.jn)(node) || (typeof node.value !== 'number' && typeof node.value !== 'string')) {
        throw ctx.fail(node ?? field.key, 'mode must be octal digits such as 644 or "0755".');
    }
    const plain = node.type === 'PLAIN';
    const written = plain ? (node.source ?? String(node.value)) : String(node.value);
    if (plain && /^0[0-9]+$/.test(written)) {
        throw ctx.fail(node, `mode ${written} has a leading zero without quotes, so the agent's YAML reads it as an octal number and applies the wrong mode. Write "${written}" in quotes, or ${written.replace(/^0+(?=\d{3})/, '')}.`);
    }
    if (!/^[0-7]{3,4}$/.test(written)) {
        throw ctx.fail(node, `mode '${written}' is not an octal mode. Use 3 or 4 digits from 0 to 7, e.g. 644 or "0755" (symbols such as u+x are not supported).`);
    }
    return written;
}
function selinuxContext(ctx, field) {
    const node = field.value;
    if (!(0,dist/* isMap */.jh)(node)) {
        throw ctx.fail(node ?? field.key, "context must be a mapping with 'type' (and optionally name and range).");
    }
    const fields = ctx.fields(node, CONTEXT_KEYS, 'context');
    ctx.rejectUnknown(fields, CONTEXT_KEYS, 'context');
    const typeField = ctx.field(fields, 'type');
    if (!typeField)
        throw ctx.fail(node, "context needs 'type' (an SELinux type such as httpd_sys_content_t).");
    const context = {
        type: ctx.string(typeField, 'an SELinux type')
    };
    const user = ctx.field(fields, 'name') ?? ctx.field(fields, 'user');
    if (user)
        context.user = ctx.string(user, 'an SELinux user');
    const range = ctx.field(fields, 'range');
    if (range)
        context.range = ctx.string(range, 'an SELinux range such as s0');
    return context;
}
function types(ctx, field) {
    if (!(0,dist/* isSeq */.oP)(field.value)) {
        throw ctx.fail(field.value ?? field.key, 'type must be a list: - file, - directory (or [file, directory]).');
    }
    return field.value.items.map(raw => {
        const node = ctx.deref(raw);
        const value = ctx.text(node);
        if (value !== 'file' && value !== 'directory') {
            throw ctx.fail(node ?? field.value, `type '${value ?? ''}' is not known. Use 'file' and/or 'directory'.`);
        }
        return value;
    });
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/rules/root.ts
/**
 * The top level of an EC2/on-premises appspec: it must be a mapping of the known keys, with
 * `version: 0.0` and an `os` the agent knows. Hands each section to its own rules and puts the
 * results together.
 */







const ROOT_KEYS = ['version', 'os', 'files', 'permissions', 'hooks', 'file_exists_behavior'];
/** Checks the whole document as an EC2/on-premises appspec and returns what it says. */
async function checkRoot(ctx) {
    const root = ctx.doc.contents;
    if (root === null || ctx.isEmpty(root)) {
        throw new errors/* AppSpecError */.HY(`${ctx.fileName}:1:1: the file is empty. Start it with 'version: 0.0' and 'os: linux' (or windows), then add files and hooks.`, ctx.file, 1, 1);
    }
    if (!(0,dist/* isMap */.jh)(root)) {
        throw ctx.fail(root, `the top level must be a mapping (version:, os:, files:, hooks:), not ${(0,dist/* isSeq */.oP)(root) ? 'a list' : 'a single value'}. Write one 'key: value' per line.`);
    }
    const fields = ctx.fields(root, ROOT_KEYS, 'the top level');
    for (const field of fields) {
        if (ROOT_KEYS.includes(field.name))
            continue;
        if (field.name === 'Resources') {
            throw ctx.fail(field.key, "'Resources' belongs to a Lambda or ECS appspec, but this action deploys EC2/on-premises revisions. Use an EC2/on-premises appspec: version, os, files, hooks.");
        }
        throw ctx.fail(field.key, `unknown key '${field.name}' at the top level.${(0,suggest/* didYouMean */.a)(field.name, ROOT_KEYS)} An EC2/on-premises appspec has only: ${ROOT_KEYS.join(', ')}.`);
    }
    checkVersion(ctx, root, ctx.field(fields, 'version'));
    const os = checkOs(ctx, root, ctx.field(fields, 'os'));
    const spec = { version: '0.0', os, files: [], permissions: [], hooks: {} };
    const behavior = ctx.field(fields, 'file_exists_behavior');
    if (behavior)
        spec.fileExistsBehavior = checkFileExistsBehavior(ctx, behavior);
    const files = ctx.field(fields, 'files');
    if (files)
        spec.files = await checkFiles(ctx, files, os);
    const permissions = ctx.field(fields, 'permissions');
    if (permissions)
        spec.permissions = checkPermissions(ctx, permissions, os);
    const hooks = ctx.field(fields, 'hooks');
    if (hooks)
        spec.hooks = await checkHooks(ctx, hooks, os);
    return spec;
}
function checkVersion(ctx, root, field) {
    if (!field)
        throw ctx.fail(root, "'version' is missing. Add 'version: 0.0' as the first line.");
    const node = field.value;
    if ((0,dist/* isScalar */.jn)(node) && node.value === 0 && node.type === 'PLAIN')
        return;
    const written = (0,dist/* isScalar */.jn)(node) ? (node.source ?? String(node.value)) : 'a list or mapping';
    if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string' && node.value.trim() === '0.0') {
        throw ctx.fail(node, "version is the string '0.0' (quoted), but the agent compares it with the number 0.0 and fails the deployment. Remove the quotes: version: 0.0");
    }
    throw ctx.fail(node ?? field.key, `version is '${written}', but CodeDeploy supports only version 0.0 for EC2/on-premises. Set 'version: 0.0'.`);
}
function checkOs(ctx, root, field) {
    if (!field)
        throw ctx.fail(root, "'os' is missing. Add 'os: linux' or 'os: windows'.");
    const value = ctx.text(field.value);
    if (value === 'linux' || value === 'windows')
        return value;
    const hint = value && (value.toLowerCase() === 'linux' || value.toLowerCase() === 'windows')
        ? ` Write it in lower case: os: ${value.toLowerCase()}.`
        : " Use 'linux' (Amazon Linux, Ubuntu, RHEL) or 'windows' (Windows Server).";
    throw ctx.fail(field.value ?? field.key, `os is '${value ?? ''}', which the agent does not know.${hint}`);
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/reader.ts
/**
 * Reads an ECS or Lambda AppSpec, YAML or JSON, into positioned nodes: JSON goes through the same
 * YAML 1.2 parser (so its errors and nodes have lines and columns too, and a repeated key is
 * caught), after JSON.parse, so a `.json` file is something a JSON reader accepts.
 */





/** The YAML reader plus what one check of an ECS or Lambda AppSpec collects. */
class ContentReader extends YamlReader {
    platform;
    format;
    warnings = [];
    constructor(parsed, file, label, platform, format) {
        super(parsed.doc, parsed.lines, file, label);
        this.platform = platform;
        this.format = format;
    }
    /**
     * The mapping's fields, each named in the spelling of `known` that it matches regardless of case:
     * CodeDeploy's AppSpec reference writes these keys in lower case (`resources`, `properties`,
     * `currentversion`) and its examples capitalised, and the AWS CLI's `ecs deploy` matches them
     * case-insensitively. Two keys that differ only by case are one key written twice. With
     * `exactCase` (lifecycle event names, which the reference only ever capitalises) names are kept
     * as written.
     */
    fields(map, known, where, exactCase = false) {
        const fields = super.fields(map, known, where);
        if (exactCase)
            return fields;
        const seen = new Map();
        return fields.map(field => {
            const lower = field.name.toLowerCase();
            const earlier = seen.get(lower);
            if (earlier !== undefined) {
                throw this.fail(field.key, `'${field.name}' and '${earlier}' in ${where} are the same key to CodeDeploy, which reads AppSpec keys regardless of case. Keep one of them (merge their contents).`);
            }
            seen.set(lower, field.name);
            const canonical = known.find(name => name.toLowerCase() === lower);
            return canonical === undefined ? field : { ...field, name: canonical };
        });
    }
    /** The field's value as a mapping, or an error saying what it should hold. */
    map(field, what) {
        if (!(0,dist/* isMap */.jh)(field.value)) {
            throw this.fail(field.value ?? field.key, `'${field.name}' must be a mapping ${what}.`);
        }
        return field.value;
    }
    /** The named field, or an error at `at` saying how to add it. */
    need(fields, name, at, fix) {
        const field = this.field(fields, name);
        if (!field)
            throw this.fail(at, `'${name}' is missing. ${fix}`);
        return field;
    }
    /** A whole number written as a number (not quoted), from `min` to `max`. */
    integer(field, min, max, example) {
        const node = field.value;
        if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'number') {
            const written = node.source ?? String(node.value);
            if (/^\d+$/.test(written) && node.value >= min && node.value <= max)
                return node.value;
        }
        if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string' && /^\s*\d+\s*$/.test(node.value)) {
            throw this.fail(node, `${field.name} is the string '${node.value}', but it must be a number. Remove the quotes: ${field.name}: ${node.value.trim()}.`);
        }
        const written = (0,dist/* isScalar */.jn)(node) ? (node.source ?? String(node.value)) : 'a list or mapping';
        throw this.fail(node ?? field.key, `${field.name} '${written}' is not a whole number from ${min} to ${max}. Set e.g. '${field.name}: ${example}'.`);
    }
}
function fileFormat(file, text) {
    const ext = external_node_path_default().extname(file).toLowerCase();
    if (ext === '.json')
        return 'json';
    if (ext === '.yml' || ext === '.yaml')
        return 'yaml';
    return text.trimStart().startsWith('{') ? 'json' : 'yaml';
}
/** How messages name the file: relative to the working directory (the workspace) when inside it. */
function labelOf(file) {
    const cwd = process.cwd();
    const rel = external_node_path_default().relative(cwd, file);
    return rel && inside(cwd, file) ? toPosix(rel) : file;
}
/** Parses the text as YAML or JSON; throws an AppSpecError at the first syntax error. */
function readContent(text, file, platform) {
    const label = labelOf(file);
    const format = fileFormat(file, text);
    if (format === 'json')
        strictJson(text, file, label);
    const parsed = parseYaml(text, file, label);
    return new ContentReader(parsed, file, label, platform, format);
}
/**
 * JSON.parse's verdict, placed where it stopped (or where the YAML parser stops, when its message
 * has no position): a JSON file gets JSON advice, and nothing a JSON reader would refuse passes.
 */
function strictJson(text, file, label) {
    try {
        JSON.parse(text);
        return;
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const what = message
            .replace(/\s*in JSON at position \d+.*$/s, '')
            .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '');
        const fix = `the file is not valid JSON (${what}). Quote every key and string with double quotes, separate items with commas, and remove comments and trailing commas; or write the AppSpec as YAML in a .yaml file.`;
        const position = /at position (\d+)/.exec(message)?.[1];
        const offset = position !== undefined
            ? Number(position)
            : (0,dist.parseDocument)(text, { prettyErrors: false }).errors[0]?.pos[0];
        if (offset === undefined)
            throw new errors/* AppSpecError */.HY(`${label}: ${fix}`, file);
        const lines = new dist/* LineCounter */.HN();
        (0,dist.parseDocument)(text, { lineCounter: lines });
        const { line, col } = lines.linePos(offset);
        throw new errors/* AppSpecError */.HY(`${label}:${line}:${col}: ${fix}`, file, line, col);
    }
}

// EXTERNAL MODULE: ./src/engine/revision/appspec/content/ecs.ts
var ecs = __webpack_require__(3302);
;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/types.ts
/**
 * What an ECS or Lambda AppSpec reads as once checked, and the names CodeDeploy gives their parts:
 * the resource type per platform and the lifecycle events each platform runs hook functions at.
 */
/** The one resource type each platform deploys. */
const RESOURCE_TYPES = {
    ECS: 'AWS::ECS::Service',
    Lambda: 'AWS::Lambda::Function'
};
/** Lifecycle events an ECS deployment runs a hook function at, in the order they run. */
const ECS_HOOK_EVENTS = [
    'BeforeInstall',
    'AfterInstall',
    'AfterAllowTestTraffic',
    'BeforeAllowTraffic',
    'AfterAllowTraffic'
];
/** Lifecycle events a Lambda deployment runs a hook function at, in the order they run. */
const LAMBDA_HOOK_EVENTS = ['BeforeAllowTraffic', 'AfterAllowTraffic'];
const HOOK_EVENTS = {
    ECS: ECS_HOOK_EVENTS,
    Lambda: LAMBDA_HOOK_EVENTS
};

;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/hooks.ts
/**
 * The Hooks of an ECS or Lambda AppSpec: a list of `- <LifecycleEvent>: <Lambda function>`, each
 * event at most once and valid for the platform. Explains events that belong to another platform.
 */




/** The names AWS SAM templates give the Lambda hooks. */
const SAM_HOOKS = {
    PreTraffic: 'BeforeAllowTraffic',
    PostTraffic: 'AfterAllowTraffic'
};
function hooks_checkHooks(ctx, field) {
    const platform = ctx.platform;
    const events = HOOK_EVENTS[platform];
    const example = `'- ${events[0] ?? ''}: <function name or ARN>'`;
    if ((0,dist/* isMap */.jh)(field.value)) {
        throw ctx.fail(field.value, `'Hooks' must be a list, one event per item: write each as ${example}.`);
    }
    const seq = ctx.list(field, `of events: ${example}`);
    const hooks = [];
    for (const raw of seq?.items ?? []) {
        const item = ctx.deref(raw);
        if (!(0,dist/* isMap */.jh)(item) || item.items.length !== 1) {
            throw ctx.fail(item ?? seq, `each Hooks item names one lifecycle event and one Lambda function: ${example}.`);
        }
        const [hook] = ctx.fields(item, events, 'Hooks', true);
        if (!hook)
            continue;
        checkEvent(ctx, hook, events);
        if (hooks.some(h => h.event === hook.name)) {
            throw ctx.fail(hook.key, `hook '${hook.name}' is listed twice; CodeDeploy runs one function per lifecycle event. Keep one (call the other from it).`);
        }
        hooks.push({ event: hook.name, functionName: functionName(ctx, hook) });
    }
    return hooks;
}
function checkEvent(ctx, hook, events) {
    if (events.includes(hook.name))
        return;
    const platform = ctx.platform;
    const allowed = `${platform} runs hook functions at: ${events.join(', ')}`;
    const ecsOnly = HOOK_EVENTS.ECS.includes(hook.name);
    if (platform === 'Lambda' && ecsOnly) {
        throw ctx.fail(hook.key, `'${hook.name}' is an ECS lifecycle event; a Lambda deployment has no such step. ${allowed}. Move the check to one of these, or remove it.`);
    }
    if (HOOK_NAMES.includes(hook.name)) {
        throw ctx.fail(hook.key, `'${hook.name}' is an EC2/on-premises lifecycle event, run by the agent on instances. ${allowed}.`);
    }
    const spelt = events.find(event => event.toLowerCase() === hook.name.toLowerCase());
    if (spelt) {
        throw ctx.fail(hook.key, `lifecycle event '${hook.name}' is written with other capitals than CodeDeploy's '${spelt}'. Write it as CodeDeploy spells it: - ${spelt}: …`);
    }
    const sam = SAM_HOOKS[hook.name];
    if (sam) {
        throw ctx.fail(hook.key, `'${hook.name}' is the AWS SAM name of this hook; in an AppSpec it is '${sam}'. Rename it: - ${sam}: …`);
    }
    const close = (0,suggest/* suggest */.Z)(hook.name, events);
    throw ctx.fail(hook.key, `unknown lifecycle event '${hook.name}'.${close ? ` Did you mean '${close}'?` : ''} ${allowed}.`);
}
function functionName(ctx, hook) {
    const node = hook.value;
    const value = (0,dist/* isScalar */.jn)(node) && typeof node.value === 'string' ? node.value.trim() : '';
    if (value === '') {
        throw ctx.fail(node ?? hook.key, `hook '${hook.name}' must name one Lambda function (its name or ARN) as a string, e.g. '- ${hook.name}: validate-${hook.name.toLowerCase()}'.`);
    }
    if (/\s/.test(value)) {
        throw ctx.fail(node, `hook '${hook.name}' names '${value}', which is not a Lambda function name (no spaces allowed). Give the function's name or ARN.`);
    }
    return value;
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/lambda.ts
/**
 * The Properties of a Lambda AppSpec's function: its name and the alias CodeDeploy shifts, and the
 * versions traffic moves from and to. Either version may be left out for the action to fill in
 * (CurrentVersion from the alias, TargetVersion by publishing one); both given and equal leaves
 * nothing to shift.
 */

const LAMBDA_KEYS = ['Name', 'Alias', 'CurrentVersion', 'TargetVersion'];
function checkLambdaProperties(ctx, props, at) {
    const fields = ctx.fields(props, LAMBDA_KEYS, 'Properties');
    ctx.rejectUnknown(fields, LAMBDA_KEYS, 'the Properties of a Lambda function');
    const name = ctx.need(fields, 'Name', at, "Add 'Name: <function name>', the function to deploy.");
    const alias = ctx.need(fields, 'Alias', at, "Add 'Alias: <alias>', the alias whose traffic CodeDeploy shifts (e.g. live).");
    const lambda = {
        name: ctx.string(name, 'the name of the function to deploy'),
        alias: ctx.string(alias, 'the name of an alias of the function (e.g. live)')
    };
    const current = ctx.field(fields, 'CurrentVersion');
    if (current)
        lambda.currentVersion = version(ctx, current);
    const target = ctx.field(fields, 'TargetVersion');
    if (target)
        lambda.targetVersion = version(ctx, target);
    if (target &&
        lambda.currentVersion !== undefined &&
        lambda.currentVersion === lambda.targetVersion) {
        throw ctx.fail(target.value ?? target.key, `CurrentVersion and TargetVersion are both ${lambda.targetVersion}, so there is no traffic to shift. Set TargetVersion to the version to deploy, or remove it to have the action publish a new version.`);
    }
    return lambda;
}
/** A published version number, as "3" whether written 3 or "3". */
function version(ctx, field) {
    const node = field.value;
    const written = (0,dist/* isScalar */.jn)(node)
        ? typeof node.value === 'string'
            ? node.value.trim()
            : (node.source ?? String(node.value))
        : undefined;
    if (written !== undefined && /^[1-9]\d*$/.test(written))
        return written;
    const omit = field.name === 'CurrentVersion'
        ? 'remove it to have the action read it from the alias'
        : 'remove it to have the action publish a new version';
    if (written?.toUpperCase() === '$LATEST') {
        throw ctx.fail(node, `${field.name} is $LATEST, but CodeDeploy shifts an alias between published versions. Give a version number, or ${omit}.`);
    }
    throw ctx.fail(node ?? field.key, `${field.name} '${written ?? 'a list or mapping'}' is not a published version number. Give one such as ${field.name}: "3", or ${omit}.`);
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/root.ts
/**
 * The top level of an ECS or Lambda AppSpec: `version: 0.0`, `Resources` (a list of exactly one
 * resource of the platform's type, under a name of the user's choice) and optional `Hooks`. Keys
 * are matched regardless of case (see ContentReader.fields). Recognises an AppSpec written for another
 * platform (an EC2/on-premises one, or ECS given for Lambda and back) and says which file or group
 * fits instead.
 */







const root_ROOT_KEYS = ['version', 'Resources', 'Hooks'];
const RESOURCE_KEYS = ['Type', 'Properties'];
/** Top-level keys only an EC2/on-premises appspec has. */
const SERVER_KEYS = ['os', 'files', 'permissions', 'file_exists_behavior'];
/** The name AWS's examples give the ECS resource; any name works, this one is suggested. */
const ECS_RESOURCE_NAME = 'TargetService';
/** 'an ECS' or 'a Lambda', for messages. */
function a(platform) {
    return platform === 'ECS' ? 'an ECS' : 'a Lambda';
}
function skeleton(platform) {
    return platform === 'ECS'
        ? `'Resources:' with '- ${ECS_RESOURCE_NAME}:' (or any name) holding 'Type: ${RESOURCE_TYPES.ECS}' and its Properties (TaskDefinition, LoadBalancerInfo)`
        : `'Resources:' with '- <name>:' holding 'Type: ${RESOURCE_TYPES.Lambda}' and its Properties (Name, Alias)`;
}
/** Checks the whole document for `ctx.platform` and returns what it says. */
function checkContentRoot(ctx) {
    const root = ctx.doc.contents;
    const platform = ctx.platform;
    if (root === null || ctx.isEmpty(root)) {
        throw new errors/* AppSpecError */.HY(`${ctx.fileName}:1:1: the file is empty. Start it with 'version: 0.0', then ${skeleton(platform)}.`, ctx.file, 1, 1);
    }
    if (!(0,dist/* isMap */.jh)(root)) {
        throw ctx.fail(root, `the top level must be a mapping (version, Resources, Hooks), not ${(0,dist/* isSeq */.oP)(root) ? 'a list' : 'a single value'}.`);
    }
    const fields = ctx.fields(root, root_ROOT_KEYS, 'the top level');
    const server = fields.find(f => SERVER_KEYS.includes(f.name.toLowerCase()));
    if (server) {
        throw ctx.fail(server.key, `'${server.name}' belongs to an EC2/on-premises appspec, but the deployment group's compute platform is ${platform}. Point 'appspec' at ${a(platform)} AppSpec (version: 0.0, then ${skeleton(platform)}), or deploy this revision to an EC2/on-premises group with 'source'.`);
    }
    for (const field of fields) {
        if (root_ROOT_KEYS.includes(field.name))
            continue;
        throw ctx.fail(field.key, `unknown key '${field.name}' at the top level.${(0,suggest/* didYouMean */.a)(field.name, root_ROOT_KEYS)} The top level of ${a(platform)} AppSpec has only: ${root_ROOT_KEYS.join(', ')}.`);
    }
    root_checkVersion(ctx, root, ctx.field(fields, 'version'));
    const resources = ctx.need(fields, 'Resources', root, `Add it: ${skeleton(platform)}.`);
    const checked = checkResource(ctx, resources);
    const hooks = ctx.field(fields, 'Hooks');
    checked.hooks = hooks ? hooks_checkHooks(ctx, hooks) : [];
    return checked;
}
function root_checkVersion(ctx, root, field) {
    if (!field)
        throw ctx.fail(root, "'version' is missing. Add 'version: 0.0' as the first line.");
    const node = field.value;
    if ((0,dist/* isScalar */.jn)(node) && node.value === 0)
        return;
    if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string' && node.value.trim() === '0.0')
        return;
    const written = (0,dist/* isScalar */.jn)(node) ? (node.source ?? String(node.value)) : 'a list or mapping';
    throw ctx.fail(node ?? field.key, `version is '${written}', but CodeDeploy supports only version 0.0. Set 'version: 0.0'.`);
}
/** The one entry of Resources: `- <name>: {Type, Properties}`. */
function checkResource(ctx, field) {
    const platform = ctx.platform;
    const seq = ctx.list(field, `of exactly one resource: ${skeleton(platform)}`);
    const first = ctx.deref(seq?.items[0]);
    if (!seq || !first) {
        throw ctx.fail(field.value ?? field.key, `'Resources' is empty. Add ${skeleton(platform)}.`);
    }
    const extra = ctx.deref(seq.items[1]);
    if (extra) {
        throw ctx.fail(extra, `'Resources' has ${seq.items.length} entries, but ${a(platform)} deployment takes exactly one ${RESOURCE_TYPES[platform]}. Keep one, and deploy the others with their own deployment groups.`);
    }
    if (!(0,dist/* isMap */.jh)(first)) {
        throw ctx.fail(first, `the resource must be a mapping: ${skeleton(platform)}.`);
    }
    const named = ctx.fields(first, [], 'the resource');
    const resourceKeys = RESOURCE_KEYS.map(k => k.toLowerCase());
    if (named.some(f => resourceKeys.includes(f.name.toLowerCase()))) {
        const name = platform === 'ECS' ? ECS_RESOURCE_NAME : 'myFunction';
        throw ctx.fail(first, `the resource has no name: Type and Properties sit directly in the list item. Write '- ${name}:' and indent Type and Properties below it.`);
    }
    const [resource, another] = named;
    if (!resource || another) {
        throw ctx.fail(another?.key ?? first, `the resource must have exactly one name, with Type and Properties below it: ${skeleton(platform)}.`);
    }
    return checkResourceBody(ctx, resource);
}
function checkResourceBody(ctx, resource) {
    const platform = ctx.platform;
    const body = ctx.map(resource, `with Type and Properties: ${skeleton(platform)}`);
    const fields = ctx.fields(body, RESOURCE_KEYS, `resource '${resource.name}'`);
    ctx.rejectUnknown(fields, RESOURCE_KEYS, `resource '${resource.name}'`);
    const type = ctx.need(fields, 'Type', resource.key, `Add 'Type: ${RESOURCE_TYPES[platform]}'.`);
    checkType(ctx, type);
    const properties = ctx.need(fields, 'Properties', resource.key, platform === 'ECS'
        ? "Add 'Properties:' with TaskDefinition and LoadBalancerInfo (ContainerName, ContainerPort)."
        : "Add 'Properties:' with Name and Alias (and optionally CurrentVersion, TargetVersion).");
    const props = ctx.map(properties, platform === 'ECS' ? 'of the service' : 'of the function');
    return platform === 'ECS'
        ? { ecs: (0,ecs/* checkEcsProperties */.fr)(ctx, props, properties.key), hooks: [] }
        : { lambda: checkLambdaProperties(ctx, props, properties.key), hooks: [] };
}
function checkType(ctx, field) {
    const platform = ctx.platform;
    const expected = RESOURCE_TYPES[platform];
    const type = ctx.text(field.value)?.trim();
    if (type === expected)
        return;
    const node = field.value ?? field.key;
    const other = platform === 'ECS' ? 'Lambda' : 'ECS';
    if (type !== undefined && (0,suggest/* suggest */.Z)(type, [RESOURCE_TYPES[other]])) {
        throw ctx.fail(node, `this AppSpec deploys ${other === 'ECS' ? 'an ECS service' : 'a Lambda function'} (Type: ${RESOURCE_TYPES[other]}), but the deployment group's compute platform is ${platform}. Point 'appspec' at ${a(platform)} AppSpec (Type: ${expected}), or deploy this one with ${a(other)} deployment group.`);
    }
    throw ctx.fail(node, `Type '${type ?? ''}' is not what ${a(platform)} deployment deploys.${(0,suggest/* didYouMean */.a)(type ?? '', [expected])} Set 'Type: ${expected}'.`);
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/check.ts
/**
 * Checks the text of an ECS or Lambda AppSpec for a platform, and hashes it as CodeDeploy sees it.
 * Kept apart from reading the file so the action can re-check the text it is about to send.
 */



/**
 * Checks `text` as an ECS or Lambda AppSpec for `platform`; `file` is where it came from (for
 * messages and annotations, and its extension tells JSON from YAML). Throws AppSpecError with line
 * and column when it is wrong.
 */
function parseContentAppSpec(text, file, platform) {
    const ctx = readContent(text, file, platform);
    const checked = checkContentRoot(ctx);
    const spec = {
        platform,
        path: file,
        format: ctx.format,
        content: text,
        hooks: checked.hooks,
        warnings: ctx.warnings
    };
    if (checked.ecs)
        spec.ecs = checked.ecs;
    if (checked.lambda)
        spec.lambda = checked.lambda;
    return spec;
}
/** SHA-256 (hex) of the content exactly as it will be sent (UTF-8). */
function contentSha256(content) {
    return (0,external_node_crypto_.createHash)('sha256').update(content, 'utf8').digest('hex');
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/edit.ts
/**
 * Changes one value of a checked ECS or Lambda AppSpec by editing its text in place: the rest of
 * the file (comments, order, quoting, layout) is left byte for byte, so YAML stays the YAML the
 * user wrote and JSON stays JSON. A value keeps the quoting it was written with; a key the file
 * lacks is added after the last property, indented like the others. The result is checked again.
 */




function apply(text, edits) {
    let out = text;
    // From the end, so offsets stay right; at one offset, the later edit goes in first.
    for (const edit of [...edits].reverse().sort((a, b) => b.at - a.at)) {
        out = out.slice(0, edit.at) + edit.text + out.slice(edit.end);
    }
    return out;
}
/** The pair whose key is `name`, in any case (as the check reads keys). */
function pairOf(ctx, map, name) {
    return map.items.find(pair => {
        const key = ctx.deref(pair.key);
        return (0,dist/* isScalar */.jn)(key) && String(key.value).toLowerCase() === name.toLowerCase();
    });
}
/** The Properties mapping of the one resource (the spec was checked, so the path exists). */
function properties(ctx) {
    const root = ctx.doc.contents;
    const resources = (0,dist/* isMap */.jh)(root) ? ctx.deref(pairOf(ctx, root, 'Resources')?.value) : null;
    const item = (0,dist/* isSeq */.oP)(resources) ? ctx.deref(resources.items[0]) : null;
    const body = (0,dist/* isMap */.jh)(item) ? ctx.deref(item.items[0]?.value) : null;
    const props = (0,dist/* isMap */.jh)(body) ? ctx.deref(pairOf(ctx, body, 'Properties')?.value) : null;
    if (!(0,dist/* isMap */.jh)(props))
        throw new Error('the AppSpec has no Properties; check it before editing it');
    return props;
}
/** `value` written the way `node` was: same quotes, a bare number staying a bare number. */
function render(node, value, ctx) {
    if ((0,dist/* isScalar */.jn)(node)) {
        if (node.type === 'QUOTE_SINGLE')
            return `'${value.replace(/'/g, "''")}'`;
        if (node.type === 'PLAIN') {
            if (typeof node.value === 'number' && /^\d+$/.test(value))
                return value;
            if (ctx.format === 'yaml' && plainReadsAs(value))
                return value;
        }
    }
    return JSON.stringify(value);
}
function plainReadsAs(value) {
    const doc = (0,dist.parseDocument)(`k: ${value}\n`);
    return doc.errors.length === 0 && doc.get('k') === value;
}
/** Sets `name` in `props`: replaces its value, or adds the pair after the last one. */
function setValue(ctx, text, props, name, value) {
    const node = pairOf(ctx, props, name)?.value;
    if (node)
        return { at: node.range[0], end: node.range[1], text: render(node, value, ctx) };
    const last = props.items[props.items.length - 1];
    const lastNode = last?.value ?? last?.key;
    const firstKey = props.items[0]?.key;
    if (!last || !lastNode || !firstKey)
        throw new Error(`cannot place ${name} in Properties`);
    // A file that writes its keys in lower case (as the AppSpec reference does) gets one more.
    const firstName = (0,dist/* isScalar */.jn)(firstKey) ? String(firstKey.value) : '';
    if (firstName !== '' && firstName === firstName.toLowerCase())
        name = name.toLowerCase();
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const end = lastNode.range[1];
    if (props.flow) {
        const multiline = text.slice(props.range[0], firstKey.range[0]).includes('\n');
        const lead = multiline ? `${eol}${indentOf(text, last.key.range[0])}` : ' ';
        return { at: end, end, text: `,${lead}${JSON.stringify(name)}: ${JSON.stringify(value)}` };
    }
    const indent = ' '.repeat(firstKey.range[0] - lineStart(text, firstKey.range[0]));
    const line = `${indent}${name}: ${JSON.stringify(value)}`;
    if (text[end - 1] === '\n')
        return { at: end, end, text: `${line}${eol}` };
    const newline = text.indexOf('\n', end);
    if (newline < 0)
        return { at: text.length, end: text.length, text: `${eol}${line}` };
    return { at: newline + 1, end: newline + 1, text: `${line}${eol}` };
}
function lineStart(text, offset) {
    return text.lastIndexOf('\n', offset - 1) + 1;
}
function indentOf(text, offset) {
    const start = lineStart(text, offset);
    return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? '';
}
/** The content with the ECS TaskDefinition replaced by `arn`, same format. */
function withTaskDefinition(spec, arn) {
    if (spec.platform !== 'ECS') {
        throw new errors/* InputError */.dz(`${spec.path} is a ${spec.platform} AppSpec; only an ECS AppSpec has a TaskDefinition to replace.`);
    }
    if (arn.trim() === '' || /\s/.test(arn)) {
        throw new errors/* InputError */.dz(`'${arn}' is not a task definition ARN to put in ${spec.path}.`);
    }
    const ctx = readContent(spec.content, spec.path, spec.platform);
    const edit = setValue(ctx, spec.content, properties(ctx), 'TaskDefinition', arn);
    const text = apply(spec.content, [edit]);
    const again = parseContentAppSpec(text, spec.path, spec.platform);
    if (again.ecs?.taskDefinition !== arn)
        throw new Error(`TaskDefinition was not set to ${arn}`);
    return text;
}
/** The content with the Lambda CurrentVersion/TargetVersion set (added when absent), same format. */
function withLambdaVersions(spec, versions) {
    if (spec.platform !== 'Lambda') {
        throw new errors/* InputError */.dz(`${spec.path} is a ${spec.platform} AppSpec; only a Lambda AppSpec has versions to set.`);
    }
    for (const [name, value] of Object.entries(versions)) {
        if (!/^[1-9]\d*$/.test(value)) {
            throw new errors/* InputError */.dz(`Lambda ${name} '${value}' is not a published version number; CodeDeploy shifts an alias between published versions. Publish a version (and point the alias at one) first.`);
        }
    }
    const ctx = readContent(spec.content, spec.path, spec.platform);
    const props = properties(ctx);
    const text = apply(spec.content, [
        setValue(ctx, spec.content, props, 'CurrentVersion', versions.currentVersion),
        setValue(ctx, spec.content, props, 'TargetVersion', versions.targetVersion)
    ]);
    const again = parseContentAppSpec(text, spec.path, spec.platform);
    if (again.lambda?.currentVersion !== versions.currentVersion ||
        again.lambda.targetVersion !== versions.targetVersion) {
        throw new Error('the Lambda versions were not set as asked');
    }
    return text;
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/content/index.ts
/**
 * Checks the AppSpec of an ECS or Lambda deployment, which CodeDeploy takes inline as an
 * `AppSpecContent` revision (the text and its sha256) rather than inside a bundle, and edits the
 * values the action fills in (the registered task definition, the Lambda versions) in place.
 */








/**
 * Reads and checks an ECS or Lambda AppSpec (YAML or JSON) for `platform`; throws AppSpecError
 * with line/column, or InputError when the file is missing.
 */
async function checkContentAppSpec(file, platform) {
    const absolute = external_node_path_default().resolve(file);
    const fix = `Set 'appspec' to the path of the ${platform} AppSpec file (YAML or JSON), relative to the workspace.`;
    let info;
    try {
        info = await (0,promises_.stat)(absolute);
    }
    catch (error) {
        if (!isMissing(errnoCode(error)))
            throw error;
        throw new errors/* InputError */.dz(`AppSpec file '${file}' does not exist. ${fix} Make sure the checkout or build step that writes it ran first.`);
    }
    if (!info.isFile()) {
        throw new errors/* InputError */.dz(`AppSpec '${file}' is a directory, not a file. ${fix}`);
    }
    const text = await (0,promises_.readFile)(absolute, 'utf8');
    return parseContentAppSpec(text, absolute, platform);
}

;// CONCATENATED MODULE: ./src/engine/revision/appspec/index.ts
/**
 * Checks appspec.yml for an EC2/on-premises deployment before anything is packaged or uploaded,
 * so a mistake fails in seconds, pointing at its line, instead of minutes later on an instance.
 *
 * The rules follow what the CodeDeploy agent accepts. Where the agent reads YAML 1.1 and this
 * parser YAML 1.2, the check rejects values the two read differently (`mode: 0644`).
 *
 * ECS and Lambda AppSpecs, sent inline rather than in a bundle, are checked by ./content.
 */











/**
 * Finds and checks the appspec of `sourceDir` for an EC2/on-premises deployment (`given`: the
 * `appspec` input's file, which goes into the bundle as appspec.yml, see locateGiven). Throws
 * InputError when the source or the appspec cannot be found, AppSpecError (with line and column
 * where there is one) when the appspec is wrong.
 */
async function checkAppSpec(sourceDir, given) {
    const source = external_node_path_default().resolve(sourceDir);
    const { file, fileName, injected } = given
        ? await locateGiven(source, sourceDir, given)
        : { ...(await locate(source, sourceDir)), injected: false };
    const rules = (0,ignore_rules/* loadExcludeRules */.Ss)(source);
    if (!injected && rules.excludes(fileName, false)) {
        throw new errors/* InputError */.dz(`${ignore_rules/* IGNORE_FILE */.SV} excludes ${fileName}, but the bundle must contain it. Remove the rule that matches it, or add '!${fileName}' at the end of ${ignore_rules/* IGNORE_FILE */.SV}.`);
    }
    const text = await (0,promises_.readFile)(file, 'utf8');
    const { doc, lines } = parseYaml(text, file, fileName);
    const realSource = await (0,promises_.realpath)(source);
    const ctx = new CheckContext(doc, lines, file, fileName, source, realSource, sourceDir, rules);
    const spec = await checkRoot(ctx);
    return {
        path: file,
        fileName,
        spec,
        hookScripts: ctx.hookScripts,
        warnings: ctx.warnings,
        ...(injected ? { injected } : {})
    };
}


/***/ }),

/***/ 4532:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SV: () => (/* binding */ IGNORE_FILE),
/* harmony export */   Ss: () => (/* binding */ loadExcludeRules)
/* harmony export */ });
/* unused harmony export ALWAYS_LEFT_OUT */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var ignore__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(298);
/* harmony import */ var ignore__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(ignore__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7679);
/* harmony import */ var _inputs_locations_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(7798);
/**
 * What stays out of a bundle: `.git` (a directory, or the file a worktree or submodule leaves) at
 * any depth, every `.codedeployignore` file itself, and whatever those files exclude. They work
 * as `.gitignore` files do: gitignore syntax, each file applying to its own directory and below,
 * a deeper file's rule (a `!` re-include too) winning over a shallower one, and nothing inside a
 * directory that is left out coming back. Shared by the appspec check, so a hook script that would
 * be left out is reported at its line, and by the bundle, which applies the rules.
 */





const IGNORE_FILE = '.codedeployignore';
/** What is always left out, whatever the ignore files say. */
const ALWAYS_LEFT_OUT = ['.git', IGNORE_FILE];
function builtIn(rel) {
    const parts = rel.split('/');
    return parts.includes('.git') || parts[parts.length - 1] === IGNORE_FILE;
}
/**
 * The text of the ignore file `rel` (posix, relative to `root`). One that is a link may point
 * anywhere inside the source; a link out of it is refused, as a packaged link out of it is: the
 * rules would come from a file nobody reviews with the revision.
 */
function readIgnoreFile(root, rel) {
    const file = node_path__WEBPACK_IMPORTED_MODULE_1___default().join(root, rel);
    if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.lstatSync)(file).isSymbolicLink()) {
        const real = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(file);
        const realRoot = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(root);
        if (real === realRoot || !(0,_inputs_locations_js__WEBPACK_IMPORTED_MODULE_4__/* .within */ .ux)(realRoot, real)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`${rel} in ${root} is a link to ${real}, outside the source directory: ignore files are read from the source only. Replace the link with the file itself.`);
        }
    }
    return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, 'utf8');
}
/** Reads the `.codedeployignore` files of `root` and its directories (absent is fine). */
function loadExcludeRules(root) {
    // Read when first asked about, once per directory: a walk asks about every directory anyway.
    const files = new Map();
    const absent = (error) => {
        const code = error.code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR')
            throw error;
        return undefined;
    };
    const rulesOf = (dir) => {
        if (files.has(dir))
            return files.get(dir);
        let rules;
        try {
            rules = ignore__WEBPACK_IMPORTED_MODULE_2___default()().add(readIgnoreFile(root, node_path__WEBPACK_IMPORTED_MODULE_1___default().posix.join(dir, IGNORE_FILE)));
        }
        catch (error) {
            rules = absent(error);
        }
        files.set(dir, rules);
        return rules;
    };
    /** The deepest ignore file with an opinion on `rel` decides. */
    const decides = (rel, isDirectory) => {
        const parts = rel.split('/');
        for (let depth = parts.length - 1; depth >= 0; depth--) {
            const rules = rulesOf(parts.slice(0, depth).join('/'));
            if (!rules)
                continue;
            const below = parts.slice(depth).join('/');
            const verdict = rules.test(isDirectory ? `${below}/` : below);
            if (verdict.ignored)
                return true;
            if (verdict.unignored)
                return false;
        }
        return false;
    };
    const directories = new Map();
    const directoryLeftOut = (rel) => {
        let verdict = directories.get(rel);
        if (verdict === undefined) {
            verdict = decides(rel, true);
            directories.set(rel, verdict);
        }
        return verdict;
    };
    const hasIgnoreFile = rulesOf('') !== undefined;
    return {
        hasIgnoreFile,
        excludes(rel, isDirectory) {
            if (builtIn(rel))
                return true;
            const parts = rel.split('/');
            for (let depth = 1; depth < parts.length; depth++)
                if (directoryLeftOut(parts.slice(0, depth).join('/')))
                    return true;
            return decides(rel, isDirectory);
        }
    };
}


/***/ }),

/***/ 8868:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S: () => (/* binding */ shown),
/* harmony export */   s: () => (/* binding */ pointAt)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7679);
/**
 * What the revision stages (package and upload, an existing revision, an inline AppSpec, the
 * revision `rollback` redeploys) are handed: the ports, the record they add to, the settings, and
 * the files of the run. Paths are shown relative to the workspace, as the job log and annotations
 * show them.
 */


/** A path as the job log and annotations show it: relative to the workspace when inside it. */
function shown(stage, file) {
    const rel = node_path__WEBPACK_IMPORTED_MODULE_0___default().relative(stage.workspace, file);
    return rel.startsWith('..') ? file : rel.split((node_path__WEBPACK_IMPORTED_MODULE_0___default().sep)).join('/');
}
/** Points an appspec error's annotation at its file, line and column; returns the error. */
function pointAt(stage, error) {
    if (error instanceof _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .AppSpecError */ .HY)
        error.annotation = {
            title: 'Invalid appspec',
            file: shown(stage, error.file),
            ...(error.line ? { startLine: error.line } : {}),
            ...(error.column ? { startColumn: error.column } : {})
        };
    return error;
}


/***/ })

};
