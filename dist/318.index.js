export const id = 318;
export const ids = [318];
export const modules = {

/***/ 7318:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CommentPermissionError: () => (/* binding */ CommentPermissionError),
/* harmony export */   createOctokitCommentApi: () => (/* binding */ createOctokitCommentApi),
/* harmony export */   upsertStickyComment: () => (/* binding */ upsertStickyComment)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2413);
/* harmony import */ var _report_comment_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(4231);
// The sticky PR comment over the GitHub REST API: one comment per pull request and comment-key, found by
// its first line (the marker) and edited in place on every run.


/** The token may not write comments: a fork PR's read-only token, or no `pull-requests: write`. */
class CommentPermissionError extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.name = 'CommentPermissionError';
        this.status = status;
    }
}
function statusOf(error) {
    if (typeof error !== 'object' || error === null || !('status' in error))
        return undefined;
    const status = error.status;
    return typeof status === 'number' ? status : undefined;
}
function firstLine(body) {
    const end = body.indexOf('\n');
    return (end === -1 ? body : body.slice(0, end)).replace(/\r$/, '');
}
async function guarded(what, issue, call) {
    try {
        return await call();
    }
    catch (error) {
        const status = statusOf(error);
        if (status === 403 || status === 404) {
            const detail = error instanceof Error ? `: ${error.message.split(' - ')[0]}` : '';
            throw new CommentPermissionError(`Could not ${what} the PR comment on ${issue.owner}/${issue.repo}#${issue.issueNumber}: the GitHub token ` +
                `cannot write comments there (HTTP ${status}${detail}). A pull request from a fork gets a read-only ` +
                "token; for branches of this repository grant the job 'permissions: pull-requests: write' " +
                "(or pass a token that has it in 'github-token').", status);
        }
        throw error;
    }
}
/**
 * Creates the comment whose first line is the marker of `key`, or edits it in place. A body equal to the
 * posted one is left alone ('unchanged'). When several comments carry the marker (two runs raced), the
 * oldest is the one kept up to date.
 */
async function upsertStickyComment(api, args) {
    const issue = { owner: args.owner, repo: args.repo, issueNumber: args.issueNumber };
    const marker = (0,_report_comment_js__WEBPACK_IMPORTED_MODULE_1__/* .commentMarker */ .Ql)(args.key);
    const comments = await guarded('read', issue, () => api.listComments(issue));
    const existing = comments.find(c => firstLine(c.body) === marker);
    if (existing === undefined) {
        const created = await guarded('create', issue, () => api.createComment(issue, args.body));
        return { action: 'created', url: created.url, id: created.id };
    }
    if (existing.body === args.body)
        return { action: 'unchanged', url: existing.url, id: existing.id };
    const updated = await guarded('update', issue, () => api.updateComment({ owner: args.owner, repo: args.repo }, existing.id, args.body));
    return { action: 'updated', url: updated.url || existing.url, id: existing.id };
}
/**
 * The CommentApi over Octokit. `baseUrl` is passed explicitly: `@actions/github` reads GITHUB_API_URL when
 * it is imported, which is too early for tests and for GitHub Enterprise Server set-ups that override it.
 */
function createOctokitCommentApi(token, baseUrl) {
    const octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(token, { baseUrl });
    const toComment = (c) => ({
        id: c.id,
        body: c.body ?? '',
        url: c.html_url
    });
    return {
        async listComments(issue) {
            const all = await octokit.paginate(octokit.rest.issues.listComments, {
                owner: issue.owner,
                repo: issue.repo,
                issue_number: issue.issueNumber,
                per_page: 100
            });
            return all.map(toComment);
        },
        async createComment(issue, body) {
            const res = await octokit.rest.issues.createComment({
                owner: issue.owner,
                repo: issue.repo,
                issue_number: issue.issueNumber,
                body
            });
            return toComment(res.data);
        },
        async updateComment(repo, commentId, body) {
            const res = await octokit.rest.issues.updateComment({
                owner: repo.owner,
                repo: repo.repo,
                comment_id: commentId,
                body
            });
            return toComment(res.data);
        }
    };
}


/***/ })

};
