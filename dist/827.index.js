export const id = 827;
export const ids = [827];
export const modules = {

/***/ 73208:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   prepareContent: () => (/* binding */ prepareContent)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(80212);
/* harmony import */ var _aws_sdk_client_lambda__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(71696);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(51455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _appspec_index_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(75477);
/* harmony import */ var _aws_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(42433);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(17679);
/**
 * ECS and Lambda deployments take their AppSpec inline, as an AppSpecContent revision: no bundle,
 * no S3. This readies it: checks the file for the group's platform, registers the ECS task
 * definition given in `task-definition` and puts its ARN in, or fills the Lambda versions left
 * out (CurrentVersion from the alias, TargetVersion by publishing one), then hashes the text that
 * is sent.
 */






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
async function registerTaskDefinition(run, file) {
    const ecs = run.deps.ecs;
    if (!ecs)
        throw new Error('No ECS client to register the task definition with');
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`Cannot read task-definition ${run.relative(file)}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)}. Give a task definition as JSON, e.g. the output of 'aws ecs describe-task-definition' or the file you register by hand.`);
    }
    for (const field of DESCRIBED_ONLY)
        delete input[field];
    if (typeof input.family !== 'string' || !Array.isArray(input.containerDefinitions))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`task-definition ${run.relative(file)} has no 'family' or no 'containerDefinitions'; both are required to register it.`);
    try {
        const out = await ecs.send(new _aws_sdk_client_ecs__WEBPACK_IMPORTED_MODULE_4__.RegisterTaskDefinitionCommand(input), run.signal ? { abortSignal: run.signal } : {});
        const arn = out.taskDefinition?.taskDefinitionArn;
        if (!arn)
            throw new Error('RegisterTaskDefinition returned no ARN');
        run.reporter.info(`Registered task definition ${arn}.`);
        return arn;
    }
    catch (error) {
        if ((0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'ClientException' || (0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'InvalidParameterException')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`ECS refused task-definition ${run.relative(file)}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)}`);
        throw error;
    }
}
async function lambdaVersions(run, spec) {
    const lambda = run.deps.lambda;
    const options = run.signal ? { abortSignal: run.signal } : {};
    let currentVersion = spec.currentVersion;
    if (!currentVersion) {
        if (!lambda)
            throw new Error('No Lambda client to read the alias with');
        const alias = await lambda
            .send(new _aws_sdk_client_lambda__WEBPACK_IMPORTED_MODULE_5__.GetAliasCommand({ FunctionName: spec.name, Name: spec.alias }), options)
            .catch((error) => {
            if ((0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error) === 'ResourceNotFoundException')
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`Lambda has no alias '${spec.alias}' of function '${spec.name}' (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)}). Check Name and Alias in the appspec, and the region.`);
            throw error;
        });
        if (!alias.FunctionVersion)
            throw new Error(`Alias ${spec.alias} names no version`);
        currentVersion = alias.FunctionVersion;
        run.reporter.info(`Alias ${spec.name}:${spec.alias} points at version ${currentVersion}.`);
    }
    let targetVersion = spec.targetVersion;
    if (!targetVersion) {
        const published = await publishVersion(run, spec.name);
        if (!published.Version)
            throw new Error(`PublishVersion returned no version for ${spec.name}`);
        targetVersion = published.Version;
        run.reporter.info(`Published version ${targetVersion} of ${spec.name}.`);
    }
    if (targetVersion === currentVersion)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`Version ${targetVersion} of ${spec.name} is already what alias ${spec.alias} points at: nothing to shift. Update the function's code or configuration first (a new version is published only when $LATEST changed), or set TargetVersion in the appspec.`);
    return { currentVersion, targetVersion };
}
/** How long a function still updating (right after update-function-code) is waited for. */
const UPDATE_WAIT_MS = 60_000;
/**
 * PublishVersion, waiting while the function's last update is still in progress (Lambda answers
 * ResourceConflictException then; it is the usual case right after update-function-code).
 */
async function publishVersion(run, name) {
    const lambda = run.deps.lambda;
    if (!lambda)
        throw new Error('No Lambda client to publish the version with');
    const until = run.clock.now() + UPDATE_WAIT_MS;
    for (;;) {
        try {
            return await lambda.send(new _aws_sdk_client_lambda__WEBPACK_IMPORTED_MODULE_5__.PublishVersionCommand({ FunctionName: name }), run.signal ? { abortSignal: run.signal } : {});
        }
        catch (error) {
            const type = (0,_aws_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errorName */ .Is)(error);
            if (type === 'ResourceNotFoundException')
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`Lambda has no function '${name}' to publish a version of (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)}). Check Name in the appspec, and the region.`);
            if (type !== 'ResourceConflictException' || run.clock.now() >= until)
                throw error;
            run.reporter.info(`${name} is still being updated; publishing its version once it is done.`);
            await run.clock.sleep(2000, run.signal);
        }
    }
}
/** Checks, completes and hashes the AppSpec; the revision to deploy and what it was made of. */
async function prepareContent(run, platform) {
    const { settings, reporter } = run;
    const file = settings.appspec;
    if (!file)
        throw new Error('prepareContent without an appspec');
    run.enter('appspec');
    let spec;
    try {
        spec = await (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .checkContentAppSpec */ .GE)(file, platform);
    }
    catch (error) {
        throw run.pointAt(error);
    }
    for (const warning of spec.warnings)
        reporter.warning(warning, { file: run.relative(file), title: 'appspec' });
    const facts = { platform, file: run.relative(file), sha256: '' };
    let content = spec.content;
    if (platform === 'ECS' &&
        !settings.taskDefinition &&
        /^<.*>$/.test(spec.ecs?.taskDefinition ?? ''))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .InputError */ .dz(`${run.relative(file)} leaves TaskDefinition as the placeholder ${spec.ecs?.taskDefinition ?? ''}, and no 'task-definition' is given to fill it. Give the task definition JSON in 'task-definition', or write its ARN in the appspec.`);
    if (platform === 'ECS' && settings.taskDefinition) {
        run.enter('register');
        facts.taskDefinitionArn = await registerTaskDefinition(run, settings.taskDefinition);
        content = (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_1__/* .withTaskDefinition */ .$5)(spec, facts.taskDefinitionArn);
    }
    if (platform === 'Lambda' && spec.lambda) {
        run.enter('register');
        const versions = await lambdaVersions(run, spec.lambda);
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
