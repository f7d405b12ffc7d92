export const id = 827;
export const ids = [827];
export const modules = {

/***/ 73208:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   prepareContent: () => (/* binding */ prepareContent)
/* harmony export */ });
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _appspec_index_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(65743);
/* harmony import */ var _aws_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(42433);
/* harmony import */ var _appspec_content_ecs_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(43302);
/* harmony import */ var _stage_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(38868);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(17679);






/** Read-only fields of a described task definition that RegisterTaskDefinition refuses. */
const DESCRIBED_ONLY = [
    'taskDefinitionArn',
    'revision',
    'status',
    'requiresAttributes',
    'compatibilities',
    'registeredAt',
    'registeredBy',
    'deregisteredAt'
];
/** ECS's rule for a task definition's family. */
const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
/**
 * What ECS or CodeDeploy would refuse in a task definition, found before it is registered: a
 * family and containers with a name and an image each, one of them the appspec's ContainerName
 * (with its ContainerPort, when the container maps ports).
 */
function taskDefinitionProblem(input, ecs) {
    const { family, containerDefinitions: containers } = input;
    if (typeof family !== 'string' || family === '')
        return `has no 'family'. Add "family": "<name>", the task definition family to register a revision of`;
    if (!FAMILY.test(family))
        return `has family '${family.slice(0, 60)}', which ECS refuses. Use up to 255 letters, digits, hyphens and underscores, e.g. "family": "web"`;
    if (!Array.isArray(containers) || containers.length === 0)
        return `has no 'containerDefinitions'. Add "containerDefinitions": [{"name": "web", "image": "…"}], the containers of the task`;
    const names = [];
    for (const [index, raw] of containers.entries()) {
        const container = (raw && typeof raw === 'object' ? raw : {});
        const name = typeof container.name === 'string' && container.name ? container.name : '';
        const missing = ['name', 'image'].filter(key => typeof container[key] !== 'string' || container[key] === '');
        if (missing.length)
            return `has a container (${name ? `'${name}'` : `containerDefinitions[${index}]`}) without ${missing.map(m => `'${m}'`).join(' and ')}. Give each container a name and an image`;
        names.push(name);
    }
    if (!ecs)
        return undefined;
    const target = containers.find(c => c.name === ecs.containerName);
    if (!target)
        return `has no container '${ecs.containerName}', the appspec's ContainerName (it has: ${names.join(', ')}). Set ContainerName to one of them, or add the container to the task definition`;
    const mappings = Array.isArray(target.portMappings)
        ? target.portMappings
        : [];
    const ports = mappings.map(m => m?.containerPort).filter(p => typeof p === 'number');
    if (ports.length > 0 && !ports.includes(ecs.containerPort))
        return `maps no port ${ecs.containerPort} (the appspec's ContainerPort) in container '${ecs.containerName}' (it maps: ${ports.join(', ')}). Set ContainerPort to one of them, or add the port mapping`;
    return undefined;
}
async function registerTaskDefinition(stage, file, spec) {
    let input;
    try {
        const parsed = JSON.parse(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readFile)(file, 'utf8'));
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('it is not a JSON object');
        input = { ...parsed };
        // `aws ecs describe-task-definition` output is accepted as it is.
        if (input.taskDefinition && typeof input.taskDefinition === 'object')
            input = { ...input.taskDefinition };
    }
    catch (error) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`Cannot read task-definition ${(0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file)}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(error)}. Give a task definition as JSON, e.g. the output of 'aws ecs describe-task-definition' or the file you register by hand.`);
    }
    for (const field of DESCRIBED_ONLY)
        delete input[field];
    const problem = taskDefinitionProblem(input, spec.ecs);
    if (problem)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`task-definition ${(0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file)} ${problem}.`);
    try {
        const arn = await stage.ports.gateway.registerTaskDefinition(input);
        stage.ports.reporter.info(`Registered task definition ${arn}.`);
        return arn;
    }
    catch (error) {
        if ((0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'ClientException' || (0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'InvalidParameterException')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`ECS refused task-definition ${(0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file)}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(error)}`);
        throw error;
    }
}
async function lambdaVersions(stage, spec) {
    const { gateway, reporter } = stage.ports;
    let currentVersion = spec.currentVersion;
    if (!currentVersion) {
        const version = await gateway.aliasVersion(spec.name, spec.alias).catch((error) => {
            if ((0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'ResourceNotFoundException')
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`Lambda has no alias '${spec.alias}' of function '${spec.name}' (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(error)}). Check Name and Alias in the appspec, and the region.`);
            throw error;
        });
        if (!version)
            throw new Error(`Alias ${spec.alias} names no version`);
        currentVersion = version;
        reporter.info(`Alias ${spec.name}:${spec.alias} points at version ${currentVersion}.`);
    }
    let targetVersion = spec.targetVersion;
    if (!targetVersion) {
        const published = await publishVersion(stage, spec.name);
        if (!published)
            throw new Error(`PublishVersion returned no version for ${spec.name}`);
        targetVersion = published;
        reporter.info(`Published version ${targetVersion} of ${spec.name}.`);
    }
    if (targetVersion === currentVersion)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`Version ${targetVersion} of ${spec.name} is already what alias ${spec.alias} points at: nothing to shift. Update the function's code or configuration first (a new version is published only when $LATEST changed), or set TargetVersion in the appspec.`);
    return { currentVersion, targetVersion };
}
/** How long a function still updating (right after update-function-code) is waited for. */
const UPDATE_WAIT_MS = 60_000;
/**
 * PublishVersion, waiting while the function's last update is still in progress (Lambda answers
 * ResourceConflictException then; it is the usual case right after update-function-code).
 */
async function publishVersion(stage, name) {
    const { gateway, clock, reporter, cancel } = stage.ports;
    const until = clock.now() + UPDATE_WAIT_MS;
    for (;;) {
        try {
            return await gateway.publishVersion(name);
        }
        catch (error) {
            const type = (0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error);
            if (type === 'ResourceNotFoundException')
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`Lambda has no function '${name}' to publish a version of (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .errorMessage */ .gJ)(error)}). Check Name in the appspec, and the region.`);
            if (type !== 'ResourceConflictException' || clock.now() >= until)
                throw error;
            reporter.info(`${name} is still being updated; publishing its version once it is done.`);
            await clock.sleep(2000, cancel.signal);
        }
    }
}
/** Checks, completes and hashes the AppSpec; the revision to deploy and what it was made of. */
async function prepareContent(stage, platform) {
    const { settings, record } = stage;
    const { reporter } = stage.ports;
    const file = settings.appspec;
    if (!file)
        throw new Error('prepareContent without an appspec');
    record.stage = 'appspec';
    let spec;
    try {
        spec = await (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .checkContentAppSpec */ .GE)(file, platform);
    }
    catch (error) {
        throw (0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .pointAt */ .s)(stage, error);
    }
    for (const warning of spec.warnings)
        reporter.warning(warning, { file: (0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file), title: 'appspec' });
    const facts = { platform, file: (0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file), sha256: '' };
    let content = spec.content;
    const taskDefinition = spec.ecs?.taskDefinition ?? '';
    if (platform === 'ECS' && !settings.taskDefinition && _appspec_content_ecs_js__WEBPACK_IMPORTED_MODULE_3__/* .PLACEHOLDER */ .Kx.test(taskDefinition))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`${(0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file)} leaves TaskDefinition as the placeholder ${taskDefinition}, and no 'task-definition' is given to fill it. Give the task definition JSON in 'task-definition', or write its ARN in the appspec.`);
    if (platform === 'ECS' &&
        !settings.taskDefinition &&
        !_appspec_content_ecs_js__WEBPACK_IMPORTED_MODULE_3__/* .TASK_DEFINITION_ARN */ .sv.test(taskDefinition) &&
        !_appspec_content_ecs_js__WEBPACK_IMPORTED_MODULE_3__/* .FAMILY_REVISION */ .Rj.test(taskDefinition))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .InputError */ .dz(`${(0,_stage_js__WEBPACK_IMPORTED_MODULE_4__/* .shown */ .S)(stage, file)}: TaskDefinition '${taskDefinition.slice(0, 80)}' names no task definition: give its ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>) or family:revision, or a placeholder such as <TASK_DEFINITION> with the task definition JSON in 'task-definition'.`);
    if (platform === 'ECS' && settings.taskDefinition) {
        record.stage = 'register';
        facts.taskDefinitionArn = await registerTaskDefinition(stage, settings.taskDefinition, spec);
        content = (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .withTaskDefinition */ .$5)(spec, facts.taskDefinitionArn);
    }
    if (platform === 'Lambda' && spec.lambda) {
        record.stage = 'register';
        const versions = await lambdaVersions(stage, spec.lambda);
        facts.lambda = { name: spec.lambda.name, alias: spec.lambda.alias, ...versions };
        content = (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .withLambdaVersions */ .bi)(spec, versions);
    }
    // What is sent is checked as what was read was.
    if (content !== spec.content)
        (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .parseContentAppSpec */ .nQ)(content, file, platform);
    facts.sha256 = (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .contentSha256 */ .F8)(content);
    reporter.info(`${facts.file}: ${platform} AppSpec, ${spec.hooks.length} hook(s), sha256 ${facts.sha256}`);
    return {
        location: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: facts.sha256 } },
        facts
    };
}


/***/ })

};
