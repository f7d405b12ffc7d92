export const id = 19;
export const ids = [19];
export const modules = {

/***/ 25019:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   gitHubRevision: () => (/* binding */ gitHubRevision)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _inputs_github_revision_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(26241);
/* harmony import */ var _appspec_index_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(65743);
/* harmony import */ var _stage_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(38868);
/**
 * Input `revision: github…`: a commit CodeDeploy fetches from GitHub itself, through the
 * account's GitHub connection. Nothing is packaged or uploaded. When the commit is the job's own
 * and its checkout is at `source`, that checkout's appspec is checked first: it is the appspec the
 * instances will get, and a mistake in it is cheaper to find here than in a failed deployment.
 */





/** Whether `source` holds a checkout: a git work tree, or an appspec at its root. */
function checkedOut(source) {
    return ['.git', 'appspec.yml', 'appspec.yaml'].some(name => (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(node_path__WEBPACK_IMPORTED_MODULE_1___default().join(source, name)));
}
/** Records the GitHub revision, after checking the checkout's appspec when it is the one deployed. */
async function gitHubRevision(stage, revision) {
    const { ports, record, settings } = stage;
    const { reporter } = ports;
    const ref = (0,_inputs_github_revision_js__WEBPACK_IMPORTED_MODULE_4__/* .gitHubRef */ .rW)(revision);
    if (settings.gitHubCheckout && checkedOut(settings.source)) {
        record.stage = 'appspec';
        try {
            const result = await (0,_appspec_index_js__WEBPACK_IMPORTED_MODULE_2__/* .checkAppSpec */ .Nm)(settings.source);
            for (const warning of result.warnings)
                reporter.warning(warning, { file: (0,_stage_js__WEBPACK_IMPORTED_MODULE_3__/* .shown */ .S)(stage, result.path), title: 'appspec' });
            reporter.info(`${(0,_stage_js__WEBPACK_IMPORTED_MODULE_3__/* .shown */ .S)(stage, result.path)} (the checkout of ${revision.repository}@${revision.commitId.slice(0, 12)}): ${result.spec.os}, ${Object.keys(result.spec.hooks).length} hook(s), ${result.spec.files.length} file mapping(s)`);
        }
        catch (error) {
            throw (0,_stage_js__WEBPACK_IMPORTED_MODULE_3__/* .pointAt */ .s)(stage, error);
        }
    }
    else {
        reporter.info(settings.gitHubCheckout
            ? `No checkout at ${(0,_stage_js__WEBPACK_IMPORTED_MODULE_3__/* .shown */ .S)(stage, settings.source) || '.'}: the appspec of ${ref} is not checked here (check it by running actions/checkout first).`
            : `${ref} is not this job's commit: its appspec is not checked here.`);
    }
    record.stage = 'revision';
    record.gitHub = revision;
    ports.changed();
    reporter.info(`Deploying ${ref}: CodeDeploy fetches it from GitHub through the account's GitHub connection (nothing is packaged or uploaded).`);
    return revision;
}


/***/ })

};
