export const id = 941;
export const ids = [941];
export const modules = {

/***/ 7941:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ANNOTATION_BATCH: () => (/* reexport */ ANNOTATION_BATCH),
  DEFAULT_TIMING: () => (/* reexport */ DEFAULT_TIMING),
  GitHubCallError: () => (/* reexport */ GitHubCallError),
  MAX_CHECK_SUMMARY: () => (/* reexport */ MAX_CHECK_SUMMARY),
  checkFreshness: () => (/* reexport */ checkFreshness),
  checkRunName: () => (/* reexport */ checkRunName),
  createGitHub: () => (/* binding */ createGitHub),
  driftMarker: () => (/* reexport */ driftMarker),
  findReview: () => (/* reexport */ findReview),
  fitCheckSummary: () => (/* reexport */ fitCheckSummary),
  getPullRequest: () => (/* reexport */ getPullRequest),
  parseReviewLine: () => (/* reexport */ reviewline/* parseReviewLine */._x),
  postStickyComment: () => (/* reexport */ postStickyComment),
  reviewLine: () => (/* reexport */ reviewline/* reviewLine */.$Q),
  syncDriftIssue: () => (/* reexport */ syncDriftIssue),
  timingFromEnv: () => (/* reexport */ timingFromEnv),
  upsertCheckRun: () => (/* reexport */ upsertCheckRun)
});

// EXTERNAL MODULE: ./node_modules/zod/v4/classic/schemas.js + 14 modules
var schemas = __webpack_require__(5586);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 21 modules
var github = __webpack_require__(1758);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-retry/dist-bundle/index.js
var dist_bundle = __webpack_require__(9735);
// EXTERNAL MODULE: ./node_modules/@octokit/plugin-throttling/dist-bundle/index.js
var plugin_throttling_dist_bundle = __webpack_require__(6856);
// EXTERNAL MODULE: ./node_modules/bottleneck/light.js
var light = __webpack_require__(3251);
var light_default = /*#__PURE__*/__webpack_require__.n(light);
;// CONCATENATED MODULE: ./src/github/client.ts
// One GitHub session per step (a PR comment, a review look-up, a drift-issue sync): Octokit with the retry and
// throttling plugins, every request bounded in time, the whole step bounded, and every failure turned into
// one GitHubCallError that says what was being done and why it failed.






const DEFAULT_TIMING = { callTimeoutMs: 60_000, stepTimeoutMs: 180_000, pauseMs: 1_000 };
/** Retries after the first attempt, for 5xx, connection failures and rate limits alike. */
const RETRIES = 3;
/**
 * Tuning knob, read here and nowhere else: the bound of one GitHub request in milliseconds (default 60000,
 * accepted from 100 to 600000; anything else keeps the defaults). The step's bound is three times it and
 * the pause unit 1/60 of it, so one number speeds every GitHub wait up (the end-to-end tests) or gives a slow
 * GitHub Enterprise Server more time.
 */
const TIMEOUT_ENV = 'CUSTOM_OBJECT_INDEX_GITHUB_TIMEOUT_MS';
function timingFromEnv(env) {
    const raw = env[TIMEOUT_ENV]?.trim();
    const ms = raw ? Number(raw) : Number.NaN;
    if (!Number.isInteger(ms) || ms < 100 || ms > 600_000)
        return DEFAULT_TIMING;
    return { callTimeoutMs: ms, stepTimeoutMs: ms * 3, pauseMs: Math.max(1, Math.round(ms / 60)) };
}
/** A GitHub call that failed for good (after its retries): `message` names what was being done and why. */
class GitHubCallError extends Error {
    kind;
    /** The HTTP status GitHub answered, when it answered. */
    status;
    constructor(kind, message, status) {
        super(message);
        this.name = 'GitHubCallError';
        this.kind = kind;
        this.status = status;
    }
}
/** The reason a request is aborted after `callTimeoutMs`: a connection failure, so it is retried. */
class CallTimeout extends Error {
    constructor(ms) {
        super(`no answer within ${seconds(ms)}`);
        this.name = 'TimeoutError';
    }
}
/** The reason every request is aborted when the step's bound is reached: never retried. */
class StepExpired extends Error {
    constructor() {
        super('the step ran out of time');
        this.name = 'AbortError';
    }
}
function seconds(ms) {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
function record(v) {
    return typeof v === 'object' && v !== null ? v : undefined;
}
/** The answer an Octokit RequestError carries, when GitHub answered. */
function answerOf(error) {
    const response = record(record(error)?.response);
    if (response === undefined || typeof response.status !== 'number')
        return undefined;
    return {
        status: response.status,
        headers: (record(response.headers) ?? {}),
        data: response.data
    };
}
/**
 * The `message` of GitHub's error body, or the body when it is text. A 422's message is only "Validation
 * Failed": the real cause is in `errors[].message` (or `errors[].code` and `field`), added after it.
 */
function answerText(answer) {
    if (typeof answer.data === 'string')
        return answer.data;
    const body = record(answer.data);
    const message = typeof body?.message === 'string' ? body.message : '';
    const causes = (Array.isArray(body?.errors) ? body.errors : []).slice(0, 3).flatMap(e => {
        if (typeof e === 'string')
            return [e];
        const r = record(e);
        if (typeof r?.message === 'string')
            return [r.message];
        if (typeof r?.code === 'string')
            return [[r.field, r.code].filter(x => typeof x === 'string').join(' ')];
        return [];
    });
    return causes.length > 0 ? `${message}: ${causes.join('; ')}` : message;
}
/**
 * GitHub's rate limits, primary and secondary: any 429; a 403 whose message names a rate limit, or that
 * carries `retry-after` or `x-ratelimit-remaining: 0`. Any other 403 is a permission problem.
 */
function isRateLimited(answer) {
    if (answer.status === 429)
        return true;
    if (answer.status !== 403)
        return false;
    return (/rate limit/i.test(answerText(answer)) ||
        answer.headers['retry-after'] !== undefined ||
        String(answer.headers['x-ratelimit-remaining']) === '0');
}
/**
 * @octokit/plugin-throttling retries a 403/429 whose message says "secondary rate" or that carries
 * `x-ratelimit-remaining: 0`. The other shapes GitHub uses for its rate limits (a bare 429, an "abuse
 * detection" 403 with `retry-after`) are named so it retries them too.
 */
function nameRateLimit(error) {
    const answer = answerOf(error);
    if (answer === undefined || !isRateLimited(answer) || !(error instanceof Error))
        return;
    if (/\bsecondary rate\b/i.test(error.message))
        return;
    if (String(answer.headers['x-ratelimit-remaining']) === '0')
        return;
    error.message = `${error.message} (secondary rate limit)`;
}
/** 4xx answers are final: @octokit/plugin-retry retries 5xx and connection failures only. */
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);
/** Innermost hook: each attempt gets its own time bound, and the step's; attempts are counted. */
function boundRequests(state) {
    return octokit => {
        octokit.hook.wrap('request', async (request, options) => {
            const attempt = (state.attempts.get(options) ?? 0) + 1;
            state.attempts.set(options, attempt);
            const call = new AbortController();
            const timer = setTimeout(() => {
                call.abort(new CallTimeout(state.timing.callTimeoutMs));
            }, state.timing.callTimeoutMs);
            // The options object itself is changed (its `request` replaced, not edited: it may be the client's
            // shared defaults): inner hooks merge the options they were first given and ignore a copy.
            options.request = { ...options.request, signal: AbortSignal.any([state.step.signal, call.signal]) };
            try {
                return await request(options);
            }
            catch (error) {
                if (typeof error === 'object' && error !== null)
                    state.attemptsOf.set(error, attempt);
                nameRateLimit(error);
                throw error;
            }
            finally {
                clearTimeout(timer);
            }
        });
    };
}
/** Whether a rate-limit wait of `after` seconds is taken: within the retries and what is left of the step. */
function mayWait(state, after, retryCount) {
    if (retryCount >= RETRIES)
        return false;
    const leftMs = state.deadlineAt - Date.now();
    if (after * 1000 > leftMs) {
        state.refused = { seconds: after, leftMs };
        return false;
    }
    return true;
}
function createOctokit(config, state) {
    const pause = state.timing.pauseMs;
    const handler = (after, _options, _octokit, retryCount) => mayWait(state, after, retryCount);
    return (0,github/* getOctokit */.Q)(config.token, {
        // Passed explicitly: @actions/github reads GITHUB_API_URL when it is imported.
        baseUrl: config.baseUrl,
        log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        retry: { retries: RETRIES, retryAfterBaseValue: pause, doNotRetry: CLIENT_ERRORS },
        throttle: {
            // This session's own write spacing, in its pause unit (the plugin's defaults are 1 s and 3 s).
            write: new (light_default()).Group({ maxConcurrent: 1, minTime: pause }),
            notifications: new (light_default()).Group({ maxConcurrent: 1, minTime: 3 * pause }),
            onSecondaryRateLimit: handler,
            onRateLimit: handler
        }
    }, boundRequests(state), dist_bundle/* retry */.L, plugin_throttling_dist_bundle/* throttling */.A);
}
/** A GitHub login: letters, digits and hyphens, with `[bot]` for apps. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
/** Runs `fn` with a fresh session; the step's bound covers all of it. */
async function withSession(config, fn) {
    const timing = config.timing ?? timingFromEnv(process.env);
    const state = {
        timing,
        deadlineAt: Date.now() + timing.stepTimeoutMs,
        step: new AbortController(),
        attempts: new WeakMap(),
        attemptsOf: new WeakMap(),
        current: 'starting'
    };
    const octokit = createOctokit(config, state);
    const clean = (text, max = 300) => {
        let t = text.replace(/\p{Cc}+/gu, ' ').replace(/\s+/g, ' ');
        if (config.token.length >= 8)
            t = t.split(config.token).join('***');
        t = t.trim().replace(/\.+$/, '');
        return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
    };
    const expiry = () => new GitHubCallError('timeout', `the GitHub calls did not finish within the step's ${seconds(timing.stepTimeoutMs)} bound (while ${state.current})`);
    function toCallError(error, what) {
        if (error instanceof GitHubCallError)
            return error;
        if (state.step.signal.aborted)
            return expiry();
        const attempts = typeof error === 'object' && error !== null ? (state.attemptsOf.get(error) ?? 1) : 1;
        const after = attempts > 1 ? ` after ${attempts} attempts` : '';
        const e = record(error);
        if (e?.name === 'GraphqlResponseError' || e?.name === 'GraphQL Rate Limit Exceeded') {
            const errors = Array.isArray(e.errors) ? e.errors.map(record) : [];
            const limited = errors.some(x => x?.type === 'RATE_LIMITED');
            const first = errors.find(x => typeof x?.message === 'string')?.message;
            return new GitHubCallError(limited ? 'rate-limited' : 'invalid', `GitHub's GraphQL API answered an error on ${what}: ${clean(first ?? (0,src_errors/* errorMessage */.g)(error))}`);
        }
        const answer = answerOf(error);
        if (answer === undefined) {
            if (typeof e?.status !== 'number') {
                return new GitHubCallError('invalid', `${clean((0,src_errors/* errorMessage */.g)(error))} on ${what}`);
            }
            if (e.cause instanceof CallTimeout) {
                return new GitHubCallError('timeout', `GitHub did not answer within ${seconds(timing.callTimeoutMs)} on ${what}${after}`);
            }
            return new GitHubCallError('unreachable', `GitHub could not be reached on ${what}${after} (${clean((0,src_errors/* errorMessage */.g)(error))})`);
        }
        const status = answer.status;
        const statusLine = `${status} ${external_node_http_.STATUS_CODES[status] ?? ''}`.trim();
        const said = clean(answerText(answer));
        const detail = said ? `: ${said}` : '';
        if (isRateLimited(answer)) {
            const refused = state.refused;
            if (refused !== undefined) {
                return new GitHubCallError('rate-limited', `GitHub's rate limit asked to wait ${refused.seconds} s on ${what}, more than the ` +
                    `${seconds(Math.max(0, Math.round(refused.leftMs / 1000) * 1000))} left of the step's ` +
                    `${seconds(timing.stepTimeoutMs)} bound (${statusLine}${detail})`, status);
            }
            return new GitHubCallError('rate-limited', `GitHub's rate limit was still in force on ${what}${after} (${statusLine}${detail})`, status);
        }
        if (status === 401) {
            return new GitHubCallError('auth', `GitHub refused the token (${statusLine}${detail}) on ${what}`, status);
        }
        if (status === 403 || status === 404) {
            return new GitHubCallError('permission', `GitHub answered ${statusLine} on ${what}${detail}`, status);
        }
        if (status >= 500) {
            return new GitHubCallError('server', `GitHub answered ${statusLine} on ${what}${after}`, status);
        }
        return new GitHubCallError('invalid', `GitHub answered ${statusLine} on ${what}${detail}`, status);
    }
    let viewer;
    const session = {
        octokit,
        clean,
        async call(what, run) {
            state.current = what;
            try {
                return await run(octokit);
            }
            catch (error) {
                throw toCallError(error, what);
            }
        },
        viewer() {
            viewer ??= session
                .call("reading the token's identity (GraphQL viewer)", o => o.graphql('query { viewer { login } }'))
                .then(data => {
                const login = data.viewer?.login;
                if (typeof login !== 'string' || !LOGIN.test(login)) {
                    throw new GitHubCallError('invalid', "GitHub answered no valid login on reading the token's identity (GraphQL viewer)");
                }
                return login;
            });
            return viewer;
        }
    };
    const timer = setTimeout(() => {
        state.step.abort(new StepExpired());
    }, timing.stepTimeoutMs);
    try {
        const work = fn(session);
        // Past the step's bound the work is abandoned: its later rejection must not go unhandled.
        work.catch(() => undefined);
        const expired = new Promise((_, reject) => {
            state.step.signal.addEventListener('abort', () => {
                reject(expiry());
            }, { once: true });
        });
        return await Promise.race([work, expired]);
    }
    finally {
        clearTimeout(timer);
    }
}

;// CONCATENATED MODULE: ./src/github/checks.ts
// One check run per head commit and comment key: the verdict where branch protection can require it, the
// summary, and every finding as an annotation on its file and line (GitHub shows at most 10 errors and 10
// warnings of a step's own annotations; a check run takes them all, 50 per request).



/** GitHub's limit on a check run's summary, in characters. */
const MAX_CHECK_SUMMARY = 65_535;
/** Annotations GitHub takes per request. */
const ANNOTATION_BATCH = 50;
/** Most annotation requests of one check run, so the step stays inside its time bound. */
const MAX_ANNOTATION_BATCHES = 40;
const MAX_TITLE = 255;
const MAX_MESSAGE = 4_000;
/** The check run's name for a comment key. */
function checkRunName(commentKey) {
    return `custom-object-index / ${commentKey}`;
}
/** The summary as GitHub takes it: under 65,535 characters, a cut saying so and where the rest is. */
function fitCheckSummary(summary) {
    if (summary.length <= MAX_CHECK_SUMMARY)
        return summary;
    const note = "\n\n… cut to stay under GitHub's 65,535-character limit for a check run: the job summary and the " +
        '`report` file have the whole report.';
    let cut = summary.slice(0, MAX_CHECK_SUMMARY - note.length);
    // Never half a surrogate pair.
    if (/[\uD800-\uDBFF]$/.test(cut))
        cut = cut.slice(0, -1);
    return cut + note;
}
function clipped(text, max) {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
const checkRunEntry = schemas/* looseObject */._H3({
    id: schemas/* number */.aig().int().positive(),
    name: schemas/* string */.YjP(),
    head_sha: schemas/* string */.YjP(),
    html_url: schemas/* string */.YjP().nullish(),
    output: schemas/* looseObject */._H3({ annotations_count: schemas/* number */.aig().int().nonnegative().nullish() }).nullish()
});
/**
 * Creates the check run, or updates the one of that name on that commit; never throws. The first 50
 * annotations go with the create (or update), the rest in PATCHes of 50. GitHub appends annotations on every
 * update, so a check run that already holds some (an earlier run's) is replaced by a new one of the same
 * name, which branch protection then reads.
 */
async function upsertCheckRun(config, args) {
    const short = args.headSha.slice(0, 7);
    const batches = [];
    for (let i = 0; i < args.annotations.length && batches.length < MAX_ANNOTATION_BATCHES; i += ANNOTATION_BATCH) {
        batches.push(args.annotations.slice(i, i + ANNOTATION_BATCH).map(a => ({
            ...a,
            message: clipped(a.message, MAX_MESSAGE),
            ...(a.title !== undefined ? { title: clipped(a.title, MAX_TITLE) } : {})
        })));
    }
    const sent = batches.reduce((n, b) => n + b.length, 0);
    const output = (annotations) => ({
        title: clipped(args.title, MAX_TITLE),
        summary: fitCheckSummary(args.summary),
        ...(annotations.length > 0 ? { annotations } : {})
    });
    let written;
    try {
        return await withSession(config, async (s) => {
            const base = { owner: args.owner, repo: args.repo };
            const found = await s.call(`listing the check runs of commit ${short}`, o => o.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
                ...base,
                ref: args.headSha,
                check_name: args.name,
                filter: 'latest',
                per_page: 100
            }));
            const list = schemas/* looseObject */._H3({ check_runs: schemas/* array */.YOg(schemas/* unknown */.L5J()) }).safeParse(found.data);
            const existing = (list.success ? list.data.check_runs : [])
                .map(raw => checkRunEntry.safeParse(raw))
                .flatMap(p => (p.success ? [p.data] : []))
                .find(c => c.name === args.name && c.head_sha === args.headSha);
            const fields = {
                status: 'completed',
                conclusion: args.conclusion,
                completed_at: new Date().toISOString(),
                ...(args.detailsUrl !== undefined ? { details_url: args.detailsUrl } : {})
            };
            const first = batches[0] ?? [];
            if (existing !== undefined && (existing.output?.annotations_count ?? 0) === 0) {
                const res = await s.call(`updating check run '${args.name}' on commit ${short}`, o => o.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
                    ...base,
                    check_run_id: existing.id,
                    ...fields,
                    output: output(first)
                }));
                const entry = checkRunEntry.safeParse(res.data);
                written = {
                    id: existing.id,
                    action: 'updated',
                    ...(entry.success && entry.data.html_url ? { url: entry.data.html_url } : {})
                };
            }
            else {
                const res = await s.call(`creating check run '${args.name}' on commit ${short}`, o => o.request('POST /repos/{owner}/{repo}/check-runs', {
                    ...base,
                    name: args.name,
                    head_sha: args.headSha,
                    ...fields,
                    output: output(first)
                }));
                const entry = checkRunEntry.safeParse(res.data);
                if (!entry.success) {
                    throw new GitHubCallError('invalid', `GitHub answered an unexpected check run on creating '${args.name}'`);
                }
                written = {
                    id: entry.data.id,
                    action: 'created',
                    ...(entry.data.html_url ? { url: entry.data.html_url } : {})
                };
            }
            const id = written.id;
            for (const [i, batch] of batches.entries()) {
                if (i === 0)
                    continue;
                await s.call(`adding annotations ${i * ANNOTATION_BATCH + 1}-${i * ANNOTATION_BATCH + batch.length} to check run '${args.name}'`, o => o.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
                    ...base,
                    check_run_id: id,
                    output: output(batch)
                }));
            }
            const left = args.annotations.length - sent;
            return {
                ...(written.url !== undefined ? { url: written.url } : {}),
                action: written.action,
                annotations: sent,
                ...(left > 0
                    ? {
                        warning: `The check run '${args.name}' shows the first ${sent} findings; ${left} more are in the job summary and the report file.`
                    }
                    : {})
            };
        });
    }
    catch (error) {
        const forbidden = error instanceof GitHubCallError && error.kind === 'permission' && error.status === 403;
        const what = written
            ? `The check run '${args.name}' was ${written.action} but not all of its annotations were added`
            : `The check run '${args.name}' could not be written`;
        return {
            ...(written?.url !== undefined ? { url: written.url } : {}),
            ...(written ? { action: written.action } : {}),
            warning: `${what}: ${(0,src_errors/* errorMessage */.g)(error)}`,
            ...(forbidden && !written ? { forbidden: true } : {})
        };
    }
}

;// CONCATENATED MODULE: ./src/github/changes.ts
// The files a change touched: a pull request's files (every page) and the compare of a push. The lists are
// untrusted: each entry is validated, and a list GitHub cut short says so (`capped`).


/** GitHub lists at most this many files of a pull request. */
const PULL_FILES_CAP = 3_000;
/** A compare lists at most this many files, on its first page only. */
const COMPARE_FILES_CAP = 300;
const fileEntry = schemas/* looseObject */._H3({
    filename: schemas/* string */.YjP().min(1).max(4096),
    status: schemas/* enum */.k5n(['added', 'removed', 'modified', 'renamed', 'copied', 'changed', 'unchanged']),
    previous_filename: schemas/* string */.YjP().min(1).max(4096).nullish()
});
const compareBody = schemas/* looseObject */._H3({
    status: schemas/* string */.YjP().max(32),
    files: schemas/* array */.YOg(schemas/* unknown */.L5J()).nullish()
});
function entries(raw) {
    return raw.flatMap(r => {
        const f = fileEntry.safeParse(r);
        if (!f.success)
            return [];
        return [
            {
                path: f.data.filename,
                status: f.data.status,
                ...(f.data.previous_filename ? { previousPath: f.data.previous_filename } : {})
            }
        ];
    });
}
/** Every file of a pull request, 100 a page; throws a GitHubCallError when GitHub cannot answer. */
async function listPullFiles(config, args) {
    return withSession(config, async (s) => {
        const raw = await s.call(`listing the files of pull request ${args.owner}/${args.repo}#${args.number}`, o => o.paginate(o.rest.pulls.listFiles, {
            owner: args.owner,
            repo: args.repo,
            pull_number: args.number,
            per_page: 100
        }));
        return { files: entries(raw), capped: raw.length >= PULL_FILES_CAP };
    });
}
/** The files changed from `base` to `head` (one call: GitHub lists files on the first page only). */
async function compareFiles(config, args) {
    return withSession(config, async (s) => {
        const what = `comparing ${args.base.slice(0, 7)}...${args.head.slice(0, 7)} on ${args.owner}/${args.repo}`;
        const res = await s.call(what, o => o.rest.repos.compareCommitsWithBasehead({
            owner: args.owner,
            repo: args.repo,
            basehead: `${args.base}...${args.head}`,
            per_page: 1
        }));
        const body = compareBody.safeParse(res.data);
        if (!body.success)
            throw new Error(`GitHub answered an unexpected compare on ${what}`);
        const raw = body.data.files ?? [];
        return { files: entries(raw), capped: raw.length >= COMPARE_FILES_CAP, compareStatus: body.data.status };
    });
}

// EXTERNAL MODULE: ./src/report/comment.ts
var comment = __webpack_require__(4231);
// EXTERNAL MODULE: ./src/github/reviewline.ts
var reviewline = __webpack_require__(5625);
;// CONCATENATED MODULE: ./src/github/ownership.ts
// What makes a sticky comment or a drift issue ours
// (docs/rules.md#the-sticky-comment-is-ours-only-when-we-wrote-it): its first line is the marker and its
// author is the token's own identity. Everything else that carries the marker is someone else's and is never
// edited or deleted. Shared by the PR comment, the review look-up and the drift issue.

/** The first line of a text, without a trailing CR. */
function firstLine(text) {
    const end = text.indexOf('\n');
    return (end === -1 ? text : text.slice(0, end)).replace(/\r$/, '');
}
/** `body` with `marker` as its first line (added when missing). */
function withMarker(marker, body) {
    return firstLine(body) === marker ? body : `${marker}\n${body}`;
}
/**
 * Whether two logins name one identity. REST names the Actions token's identity `github-actions[bot]` and
 * GraphQL `github-actions`, so the `[bot]` suffix is dropped; logins are case-insensitive.
 */
function sameLogin(a, b) {
    const norm = (s) => s.replace(/\[bot\]$/i, '').toLowerCase();
    return norm(a) === norm(b);
}
/** Of items that carry the marker, those `viewer` wrote, oldest first. */
function ownedBy(marked, viewer) {
    return marked.filter(x => x.login !== undefined && sameLogin(x.login, viewer)).sort((a, b) => a.id - b.id);
}
/** A web address from GitHub, when it is a plain http(s) URL (it ends up in outputs and logs). */
function safeUrl(url) {
    return typeof url === 'string' && url.length <= 2048 && /^https?:\/\/[^\s<>"'`\\]+$/.test(url)
        ? url
        : undefined;
}
const commentEntry = schemas/* looseObject */._H3({
    id: schemas/* number */.aig().int().positive(),
    node_id: schemas/* string */.YjP().max(256).optional(),
    body: schemas/* string */.YjP().nullish(),
    html_url: schemas/* unknown */.L5J().optional(),
    user: schemas/* looseObject */._H3({ login: schemas/* string */.YjP() }).nullish()
});
/**
 * Every comment of an issue or PR (all pages) whose first line is `marker` (or passes it, when a test);
 * only those are kept.
 */
async function listMarkedComments(s, issue, marker) {
    const marked = typeof marker === 'string' ? (line) => line === marker : marker;
    return s.call(`listing the comments of ${issue.owner}/${issue.repo}#${issue.issueNumber}`, o => o.paginate(o.rest.issues.listComments, { owner: issue.owner, repo: issue.repo, issue_number: issue.issueNumber, per_page: 100 }, response => response.data.flatMap((raw) => {
        const c = commentEntry.safeParse(raw);
        if (!c.success || !marked(firstLine(c.data.body ?? '')))
            return [];
        const url = safeUrl(c.data.html_url);
        return [
            {
                id: c.data.id,
                body: c.data.body ?? '',
                ...(c.data.user ? { login: c.data.user.login } : {}),
                ...(url !== undefined ? { url } : {}),
                ...(c.data.node_id !== undefined ? { nodeId: c.data.node_id } : {})
            }
        ];
    })));
}
/** GraphQL's answer on one comment's edits: when it was last edited, and by whom (null: a deleted account). */
const editEntry = schemas/* looseObject */._H3({
    id: schemas/* string */.YjP(),
    lastEditedAt: schemas/* string */.YjP().nullish(),
    editor: schemas/* looseObject */._H3({ login: schemas/* string */.YjP() }).nullish()
});
const EDITS_QUERY = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id lastEditedAt editor { login } } } }';
/**
 * A comment counts only as its author left it: of `comments`, those edited (GraphQL `lastEditedAt` set) by
 * anyone but `viewer`. A comment whose edits cannot be read (no node id, no answer for it) is counted among
 * them: it cannot be proven ours. Throws a GitHubCallError when GraphQL fails.
 */
async function editedByOthers(s, comments, viewer) {
    const others = [];
    for (let at = 0; at < comments.length; at += 100) {
        const batch = comments.slice(at, at + 100);
        const ids = batch.flatMap(c => (c.nodeId !== undefined ? [c.nodeId] : []));
        const data = ids.length === 0
            ? { nodes: [] }
            : await s.call('reading who edited the marked comments (GraphQL)', o => o.graphql(EDITS_QUERY, { ids }));
        const nodes = Array.isArray(data.nodes) ? data.nodes : [];
        const byId = new Map();
        for (const n of nodes) {
            const e = editEntry.safeParse(n);
            if (e.success)
                byId.set(e.data.id, e.data);
        }
        for (const c of batch) {
            const e = c.nodeId !== undefined ? byId.get(c.nodeId) : undefined;
            if (e === undefined)
                others.push(c);
            else if (e.lastEditedAt && !(e.editor && sameLogin(e.editor.login, viewer)))
                others.push(c);
        }
    }
    return others;
}

;// CONCATENATED MODULE: ./src/github/comment.ts
// The sticky PR comment (docs/rules.md#what-leaves-the-action and docs/rules.md#results-under-faults): one
// comment per pull request and comment-key, found by its first line (the marker) and its author (the token's
// identity), edited in place on every run. Racing runs converge on the oldest. Posting it never fails the
// step: a failure comes back as a warning.





const WHERE_RESULTS = 'The results are in the job summary, the annotations and the report file.';
function failure(error) {
    const e = error instanceof GitHubCallError ? error : undefined;
    let text = `The PR comment could not be posted: ${e ? e.message : (0,src_errors/* errorMessage */.g)(error)}.`;
    if (e?.kind === 'permission' && e.status === 404) {
        text += ' The pull request or its repository is not visible to the token.';
    }
    else if (e?.kind === 'permission') {
        text +=
            ' The token cannot write comments there: a pull request from a fork gets a read-only token; for ' +
                "branches of this repository grant the job 'permissions: pull-requests: write' (or pass a token that " +
                "has it in 'github-token').";
    }
    if (e?.kind === 'auth')
        text += " Check the token given in 'github-token'.";
    return `${text} ${WHERE_RESULTS}`;
}
/**
 * Deletes our extra marked comments (a race, now or in a past run). One already gone (the other run
 * deleted it) is fine; any other failure is returned as a warning.
 */
async function removeDuplicates(s, args, extras) {
    for (const extra of extras) {
        try {
            await s.call(`deleting the duplicate PR comment ${extra.id}`, o => o.rest.issues.deleteComment({ owner: args.owner, repo: args.repo, comment_id: extra.id }));
        }
        catch (error) {
            if (error instanceof GitHubCallError && error.status === 404)
                continue;
            return `The PR comment was posted, but a duplicate could not be removed: ${(0,src_errors/* errorMessage */.g)(error)}.`;
        }
    }
    return undefined;
}
async function update(s, args, c, body) {
    await s.call(`updating the PR comment ${c.id} on ${args.owner}/${args.repo}#${args.issueNumber}`, o => o.rest.issues.updateComment({ owner: args.owner, repo: args.repo, comment_id: c.id, body }));
}
/**
 * The continuation comments of the review: part n written in our oldest part-n comment (or a new one), our
 * other part comments deleted. A failure is a warning naming the part: the sticky comment stands.
 */
async function syncContinuations(s, args, ours) {
    const parts = args.continuations ?? [];
    const byPart = new Map();
    for (const c of ours) {
        const n = (0,reviewline/* continuationPart */.vw)(args.key, firstLine(c.body));
        if (n !== undefined)
            byPart.set(n, [...(byPart.get(n) ?? []), c]);
    }
    const stale = [];
    for (const [n, comments] of byPart)
        if (n > parts.length)
            stale.push(...comments);
    try {
        for (const [i, line] of parts.entries()) {
            const n = i + 1;
            const body = (0,reviewline/* continuationBody */.ev)(args.key, n, parts.length, line);
            const [oldest, ...extras] = byPart.get(n) ?? [];
            stale.push(...extras);
            if (oldest === undefined) {
                await s.call(`creating part ${n} of the review on ${args.owner}/${args.repo}#${args.issueNumber}`, o => o.rest.issues.createComment({
                    owner: args.owner,
                    repo: args.repo,
                    issue_number: args.issueNumber,
                    body
                }));
            }
            else if (oldest.body !== body) {
                await s.call(`updating part ${n} of the review (comment ${oldest.id})`, o => o.rest.issues.updateComment({ owner: args.owner, repo: args.repo, comment_id: oldest.id, body }));
            }
        }
    }
    catch (error) {
        return (`The PR comment was posted, but its review record continues in ${parts.length} comments and not all ` +
            `could be written: ${(0,src_errors/* errorMessage */.g)(error)}. A deploy of this pull request may find no review for some objects.`);
    }
    // An earlier, longer run's parts (or a race's duplicates).
    return removeDuplicates(s, args, stale);
}
async function upsert(s, args) {
    const marker = (0,comment/* commentMarker */.Ql)(args.key);
    const body = withMarker(marker, args.body);
    // Without the token's identity no comment can be proven ours: rather than guess (and risk editing
    // someone else's), nothing is posted and the warning says why.
    const viewer = await s.viewer();
    // One listing finds the sticky comment and the review's continuation comments.
    const listed = ownedBy(await listMarkedComments(s, args, line => line === marker || (0,reviewline/* continuationPart */.vw)(args.key, line) !== undefined), viewer);
    const mine = listed.filter(c => firstLine(c.body) === marker);
    const continuations = listed.filter(c => firstLine(c.body) !== marker);
    const result = await upsertMain(s, args, marker, body, viewer, mine);
    const warning = await syncContinuations(s, args, continuations);
    if (warning === undefined)
        return result;
    return { ...result, warning: [result.warning, warning].filter(w => w !== undefined).join(' ') };
}
async function upsertMain(s, args, marker, body, viewer, mine) {
    const [oldest, ...extras] = mine;
    if (oldest !== undefined) {
        // A comment someone else edited is written again, even with the same text, so that it is ours as left
        // (its last editor the token's identity); when the edits cannot be read, it is written again too.
        const trusted = await editedByOthers(s, [oldest], viewer).then(others => others.length === 0, () => false);
        const action = oldest.body === body && trusted ? 'unchanged' : 'updated';
        if (action === 'updated')
            await update(s, args, oldest, body);
        const warning = await removeDuplicates(s, args, extras);
        return { url: oldest.url, action, ...(warning ? { warning } : {}) };
    }
    const res = await s.call(`creating the PR comment on ${args.owner}/${args.repo}#${args.issueNumber}`, o => o.rest.issues.createComment({ owner: args.owner, repo: args.repo, issue_number: args.issueNumber, body }));
    const created = { id: res.data.id, login: viewer, body };
    const url = safeUrl(res.data.html_url);
    if (url !== undefined)
        created.url = url;
    // A run that raced this one may have created its own: list again and keep only the oldest of ours. When
    // that listing fails the comment stands; the next run's update removes any duplicate.
    let after;
    try {
        after = ownedBy(await listMarkedComments(s, args, marker), viewer);
    }
    catch {
        return { url: created.url, action: 'created' };
    }
    const keep = after[0] ?? created;
    const rest = after.filter(c => c.id !== keep.id);
    if (keep.id === created.id) {
        const warning = await removeDuplicates(s, args, rest);
        return { url: created.url, action: 'created', ...(warning ? { warning } : {}) };
    }
    if (keep.body !== body)
        await update(s, args, keep, body);
    const warning = await removeDuplicates(s, args, rest);
    return { url: keep.url, action: 'updated', ...(warning ? { warning } : {}) };
}
/**
 * Creates the sticky comment of `key` on the PR, or edits ours in place; never throws. A body equal to the
 * posted one is left alone ('unchanged').
 */
async function postStickyComment(config, args) {
    try {
        return await withSession(config, s => upsert(s, args));
    }
    catch (error) {
        return { warning: failure(error) };
    }
}

;// CONCATENATED MODULE: ./src/github/drift.ts
// The drift issue (docs/rules.md#drift-detection): one issue per repository and comment-key, found in any
// state by its label, first line and author (as in
// docs/rules.md#the-sticky-comment-is-ours-only-when-we-wrote-it), kept open and up to date while there is
// drift, reopened when it comes back, closed with a comment when it is gone. Racing runs converge on the
// oldest. Cheap and quiet: found with a label filter whatever the number of issues, and a run that finds the
// same drift writes nothing (the body is a function of the drift alone; the run's link goes in a comment when
// the drift changes).




/** The label every drift issue carries, by which it is found (created when the repository lacks it). */
const DRIFT_LABEL = 'custom-object-index-drift';
const LABEL_COLOR = 'd93f0b';
const LABEL_DESCRIPTION = 'Live custom-object indexes differ from the index files';
/** The drift issue's first line. */
function driftMarker(key) {
    return `<!-- custom-object-index-drift:${key} -->`;
}
const DEFAULT_CLOSING = 'The drift is gone: the live indexes match the index files again. Closed by the custom-object-index action.';
/** GitHub's limit on an issue title. */
const drift_MAX_TITLE = 256;
const issueEntry = schemas/* looseObject */._H3({
    number: schemas/* number */.aig().int().positive(),
    state: schemas/* enum */.k5n(['open', 'closed']),
    title: schemas/* string */.YjP().nullish(),
    body: schemas/* string */.YjP().nullish(),
    html_url: schemas/* unknown */.L5J().optional(),
    user: schemas/* looseObject */._H3({ login: schemas/* string */.YjP() }).nullish(),
    pull_request: schemas/* unknown */.L5J().optional()
});
/** The page entries that are marked issues (pull requests skipped). */
function markedOf(data, marker) {
    return data.flatMap((raw) => {
        const i = issueEntry.safeParse(raw);
        if (!i.success || i.data.pull_request !== undefined)
            return [];
        if (firstLine(i.data.body ?? '') !== marker)
            return [];
        const url = safeUrl(i.data.html_url);
        return [
            {
                id: i.data.number,
                state: i.data.state,
                title: i.data.title ?? '',
                body: i.data.body ?? '',
                ...(i.data.user ? { login: i.data.user.login } : {}),
                ...(url !== undefined ? { url } : {})
            }
        ];
    });
}
/** The issues carrying the drift label, in any state, whose first line is the marker: one page as a rule. */
async function listLabelledIssues(s, args, marker) {
    return s.call(`listing the ${DRIFT_LABEL} issues of ${args.owner}/${args.repo}`, o => o.paginate(o.rest.issues.listForRepo, { owner: args.owner, repo: args.repo, state: 'all', labels: DRIFT_LABEL, per_page: 100 }, response => markedOf(response.data, marker)));
}
/** Every issue of the repository, in any state, whose first line is the marker (all pages). */
async function listAllMarkedIssues(s, args, marker) {
    return s.call(`listing the issues of ${args.owner}/${args.repo}`, o => o.paginate(o.rest.issues.listForRepo, { owner: args.owner, repo: args.repo, state: 'all', per_page: 100 }, response => markedOf(response.data, marker)));
}
/**
 * Makes sure the repository has the drift label, on a run with drift to file (created when missing, so that
 * this happens once). When it had none, no drift issue was ever labelled: an issue an earlier version left
 * without the label is looked for once, the slow way, and labelled, so that it is kept instead of a second one
 * being opened. Returns those issues (ours, oldest first).
 */
async function ensureLabel(s, args, marker, viewer) {
    const where = `${args.owner}/${args.repo}`;
    try {
        await s.call(`reading the ${DRIFT_LABEL} label of ${where}`, o => o.rest.issues.getLabel({ owner: args.owner, repo: args.repo, name: DRIFT_LABEL }));
        return [];
    }
    catch (error) {
        if (!(error instanceof GitHubCallError && error.status === 404))
            throw error;
    }
    try {
        await s.call(`creating the ${DRIFT_LABEL} label in ${where}`, o => o.rest.issues.createLabel({
            owner: args.owner,
            repo: args.repo,
            name: DRIFT_LABEL,
            color: LABEL_COLOR,
            description: LABEL_DESCRIPTION
        }));
    }
    catch (error) {
        // A racing run created it first.
        if (!(error instanceof GitHubCallError && error.status === 422))
            throw error;
    }
    const earlier = ownedBy(await listAllMarkedIssues(s, args, marker), viewer);
    for (const i of earlier) {
        await s.call(`labelling the drift issue ${where}#${i.id}`, o => o.rest.issues.addLabels({
            owner: args.owner,
            repo: args.repo,
            issue_number: i.id,
            labels: [DRIFT_LABEL]
        }));
    }
    return earlier;
}
function drift_failure(error) {
    const e = error instanceof GitHubCallError ? error : undefined;
    let text = `The drift issue could not be updated: ${e ? e.message : (0,src_errors/* errorMessage */.g)(error)}.`;
    if (e?.kind === 'permission' && e.status === 404)
        text += ' The repository is not visible to the token.';
    else if (e?.kind === 'permission')
        text += " The job needs 'permissions: issues: write'.";
    if (e?.kind === 'auth')
        text += " Check the token given in 'github-token'.";
    return `${text} The drift is in the job summary and the report file.`;
}
async function sync(s, args) {
    const marker = driftMarker(args.key);
    const title = args.title.slice(0, drift_MAX_TITLE);
    const body = withMarker(marker, args.body);
    const where = `${args.owner}/${args.repo}`;
    const byRun = args.run !== undefined ? ` (${args.run})` : '';
    /** The run's link, in a comment, when the drift changed: only when there is a run to link to. */
    const announce = async (i, text) => {
        if (args.run !== undefined)
            await comment(i, text);
    };
    const comment = (i, text) => s.call(`commenting on the drift issue ${where}#${i.id}`, o => o.rest.issues.createComment({ owner: args.owner, repo: args.repo, issue_number: i.id, body: text }));
    const edit = (i, change) => s.call(`updating the drift issue ${where}#${i.id}`, o => o.rest.issues.update({ owner: args.owner, repo: args.repo, issue_number: i.id, ...change }));
    const close = async (i, text) => {
        await comment(i, text);
        await s.call(`closing the drift issue ${where}#${i.id}`, o => o.rest.issues.update({ owner: args.owner, repo: args.repo, issue_number: i.id, state: 'closed' }));
    };
    /** Brings `keep` up to date and open; says what that took. The same drift writes nothing. */
    const refresh = async (keep) => {
        const same = keep.title === title && keep.body === body;
        if (keep.state === 'open' && same)
            return 'unchanged';
        await edit(keep, {
            ...(same ? {} : { title, body }),
            ...(keep.state === 'closed' ? { state: 'open' } : {})
        });
        if (keep.state === 'closed') {
            await announce(keep, `The drift is back${byRun}.`);
            return 'reopened';
        }
        await announce(keep, `The drift changed${byRun}.`);
        return 'updated';
    };
    /** Closes our other open issues of this key (a race, now or in a past run). */
    const closeDuplicates = async (keep, all) => {
        for (const d of all) {
            if (d.id !== keep.id && d.state === 'open')
                await close(d, `Duplicate of #${keep.id}.`);
        }
    };
    const viewer = await s.viewer();
    let mine = ownedBy(await listLabelledIssues(s, args, marker), viewer);
    // No drift and no issue of ours: nothing to file or close, so no label either (a read-only token stays quiet).
    if (mine.length === 0 && !args.drifted)
        return { action: 'none' };
    if (mine.length === 0)
        mine = await ensureLabel(s, args, marker, viewer);
    if (!args.drifted) {
        const open = mine.filter(i => i.state === 'open');
        const checked = args.run !== undefined ? `\n\nChecked by ${args.run}.` : '';
        for (const i of open)
            await close(i, `${args.closingComment ?? DEFAULT_CLOSING}${checked}`);
        return open.length > 0 ? { url: open[0].url, action: 'closed' } : { action: 'none' };
    }
    const [oldest] = mine;
    if (oldest !== undefined) {
        const action = await refresh(oldest);
        await closeDuplicates(oldest, mine);
        return { url: oldest.url, action };
    }
    const res = await s.call(`creating the drift issue in ${where}`, o => o.rest.issues.create({ owner: args.owner, repo: args.repo, title, body, labels: [DRIFT_LABEL] }));
    const created = { id: res.data.number, login: viewer, state: 'open', title, body };
    const url = safeUrl(res.data.html_url);
    if (url !== undefined)
        created.url = url;
    // A racing run may have created its own: the oldest of ours stays, the others are closed.
    const after = ownedBy(await listLabelledIssues(s, args, marker), viewer);
    const keep = after[0] ?? created;
    const action = keep.id === created.id ? 'created' : await refresh(keep);
    await closeDuplicates(keep, after.some(i => i.id === created.id) ? after : [...after, created]);
    return { url: keep.url, action };
}
/** Keeps the drift issue of `key` in step with `drifted`; never throws. */
async function syncDriftIssue(config, args) {
    try {
        return await withSession(config, s => sync(s, args));
    }
    catch (error) {
        return { action: 'none', warning: drift_failure(error) };
    }
}

;// CONCATENATED MODULE: ./src/github/freshness.ts
// Whether the commit a deploy runs for is still the head of its branch, and if not, which files the newer
// commits changed after it (an older commit never silently undoes a newer one). Two GitHub requests at most:
// the branch's head, then the compare of the two commits.



const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** GitHub lists at most this many files in a compare: with as many, the list may be cut. */
const COMPARE_FILE_CAP = 300;
const commitSchema = schemas/* looseObject */._H3({ sha: schemas/* string */.YjP().regex(SHA) });
const compareSchema = schemas/* looseObject */._H3({
    status: schemas/* enum */.k5n(['ahead', 'behind', 'diverged', 'identical']),
    files: schemas/* array */.YOg(schemas/* looseObject */._H3({
        filename: schemas/* string */.YjP().max(4096),
        previous_filename: schemas/* string */.YjP().max(4096).nullish()
    }))
        .optional()
});
/** The branch's head and what changed after `sha`; never throws: what GitHub cannot answer is `problem`. */
async function checkFreshness(config, args) {
    const sha = args.sha.toLowerCase();
    if (!SHA.test(sha))
        return { problem: 'the pushed commit (GITHUB_SHA) is not a SHA' };
    try {
        return await withSession(config, async (s) => {
            const what = `reading the head of branch ${s.clean(args.branch, 100)}`;
            const res = await s.call(what, o => o.rest.repos.getCommit({ owner: args.owner, repo: args.repo, ref: args.branch, per_page: 1 }));
            const head = commitSchema.safeParse(res.data);
            if (!head.success)
                throw new GitHubCallError('invalid', `GitHub answered no commit SHA on ${what}`);
            const headSha = head.data.sha.toLowerCase();
            if (headSha === sha)
                return { head: headSha, changed: [] };
            const comparing = `comparing ${sha.slice(0, 7)}...${headSha.slice(0, 7)}`;
            const cmp = await s.call(comparing, o => o.rest.repos.compareCommitsWithBasehead({
                owner: args.owner,
                repo: args.repo,
                basehead: `${sha}...${headSha}`
            }));
            const parsed = compareSchema.safeParse(cmp.data);
            if (!parsed.success) {
                throw new GitHubCallError('invalid', `GitHub answered an unexpected comparison on ${comparing}`);
            }
            const files = parsed.data.files ?? [];
            if (files.length >= COMPARE_FILE_CAP) {
                throw new GitHubCallError('invalid', `GitHub lists at most ${COMPARE_FILE_CAP} changed files on ${comparing}, and ${files.length} came back: the list may be cut`);
            }
            const changed = files.flatMap(f => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]);
            return { head: headSha, changed };
        });
    }
    catch (error) {
        return { problem: (0,src_errors/* errorMessage */.g)(error) };
    }
}

;// CONCATENATED MODULE: ./src/github/review.ts
// Reading what was reviewed (docs/rules.md#deploy-what-was-reviewed) and a pull request's head
// (docs/rules.md#publishing-reports).






const review_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const pullEntry = schemas/* looseObject */._H3({
    number: schemas/* number */.aig().int().positive(),
    merged_at: schemas/* string */.YjP().nullish(),
    merge_commit_sha: schemas/* string */.YjP().nullish()
});
/**
 * The review line of the sticky comment (`key`, written by the token's identity) on the merged pull request
 * that `sha` belongs to; never throws. Of several merged PRs, the one whose merge commit is `sha`, else the
 * one merged last.
 */
async function findReview(config, args) {
    const sha = args.sha.toLowerCase();
    const short = sha.slice(0, 7);
    if (!review_SHA.test(sha))
        return { pullRequest: null, problem: 'the pushed commit is not a SHA' };
    let pullRequest = null;
    try {
        return await withSession(config, async (s) => {
            const pulls = await s.call(`listing the pull requests of commit ${short}`, o => o.paginate(o.rest.repos.listPullRequestsAssociatedWithCommit, { owner: args.owner, repo: args.repo, commit_sha: sha, per_page: 100 }, response => response.data.flatMap(raw => {
                const p = pullEntry.safeParse(raw);
                return p.success && p.data.merged_at ? [p.data] : [];
            })));
            const merged = pulls.find(p => p.merge_commit_sha === sha) ??
                [...pulls].sort((a, b) => Date.parse(b.merged_at ?? '') - Date.parse(a.merged_at ?? ''))[0];
            if (merged === undefined) {
                return { pullRequest: null, problem: `no merged pull request contains commit ${short}` };
            }
            pullRequest = merged.number;
            const viewer = await s.viewer();
            const marker = (0,comment/* commentMarker */.Ql)(args.key);
            // One listing finds the sticky comment and the continuation comments of its review.
            const listed = ownedBy(await listMarkedComments(s, { owner: args.owner, repo: args.repo, issueNumber: merged.number }, line => line === marker || (0,reviewline/* continuationPart */.vw)(args.key, line) !== undefined), viewer);
            // A comment counts only as its author left it: the sticky comment (the oldest of ours) or a continuation
            // of its review edited by anyone else is no review, and no other comment stands in for it.
            const sticky = listed.find(c => firstLine(c.body) === marker);
            const tampered = sticky !== undefined && (await editedByOthers(s, listed, viewer)).length > 0;
            if (sticky === undefined || tampered) {
                const edited = tampered ? ` left as ${viewer} wrote it (it was edited by someone else since)` : '';
                return {
                    pullRequest,
                    problem: `pull request #${merged.number} has no comment-key '${args.key}' comment by ${viewer}${edited}`
                };
            }
            const parsed = (0,reviewline/* parseReviewLine */._x)(sticky.body);
            if ('problem' in parsed) {
                return { pullRequest, problem: `the comment on pull request #${merged.number}: ${parsed.problem}` };
            }
            const whole = joinContinuations(args.key, parsed, listed);
            if ('problem' in whole) {
                return { pullRequest, problem: `the comment on pull request #${merged.number}: ${whole.problem}` };
            }
            return { pullRequest, review: whole };
        });
    }
    catch (error) {
        return { pullRequest, problem: `the review could not be looked up: ${(0,src_errors/* errorMessage */.g)(error)}` };
    }
}
/**
 * The review whole: the main line's objects and those of its `continued` parts, each part read from our
 * oldest comment of that part number. A part missing, unreadable or from another run (its head commit or run
 * differs) is a problem: the review is not half-used.
 */
function joinContinuations(key, main, comments) {
    const parts = main.continued ?? 0;
    const { continued: _parts, ...whole } = main;
    const objects = { ...main.objects };
    for (let n = 1; n <= parts; n++) {
        const comment = comments.find(c => (0,reviewline/* continuationPart */.vw)(key, firstLine(c.body)) === n);
        if (comment === undefined)
            return { problem: `its review continues in ${parts} comments but part ${n} is missing` };
        const part = (0,reviewline/* parseReviewLine */._x)(comment.body);
        if ('problem' in part)
            return { problem: `part ${n} of its review: ${part.problem}` };
        if (part.headSha !== main.headSha || part.runId !== main.runId || part.continued !== undefined) {
            return { problem: `part ${n} of its review is from another run` };
        }
        for (const [id, o] of Object.entries(part.objects)) {
            Object.defineProperty(objects, id, { value: o, enumerable: true, configurable: true, writable: true });
        }
    }
    return { ...whole, objects };
}
const pullSchema = schemas/* looseObject */._H3({
    number: schemas/* number */.aig().int().positive(),
    state: schemas/* enum */.k5n(['open', 'closed']),
    merged: schemas/* boolean */.zMY().nullish(),
    head: schemas/* looseObject */._H3({ sha: schemas/* string */.YjP().regex(review_SHA) })
});
/** A pull request's number, current head SHA and state; throws a GitHubCallError when it cannot be read. */
async function getPullRequest(config, ref) {
    const what = `reading pull request ${ref.owner}/${ref.repo}#${ref.number}`;
    return withSession(config, async (s) => {
        const res = await s.call(what, o => o.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number }));
        const p = pullSchema.safeParse(res.data);
        if (!p.success)
            throw new GitHubCallError('invalid', `GitHub answered an unexpected pull request on ${what}`);
        return {
            number: p.data.number,
            headSha: p.data.head.sha,
            state: p.data.state,
            merged: p.data.merged ?? false
        };
    });
}

;// CONCATENATED MODULE: ./src/github/index.ts
// Everything the action does on GitHub, behind one small interface. Loaded with `await import()` only by the
// runs that talk to GitHub: Octokit and its plugins are most of the bundle.






/** The GitHub calls over one token and API base URL; each call is one step with its own time bound. */
function createGitHub(config) {
    return {
        postStickyComment: args => postStickyComment(config, args),
        findReview: args => findReview(config, args),
        getPullRequest: ref => getPullRequest(config, ref),
        syncDriftIssue: args => syncDriftIssue(config, args),
        checkFreshness: args => checkFreshness(config, args),
        upsertCheckRun: args => upsertCheckRun(config, args),
        listPullFiles: args => listPullFiles(config, args),
        compareFiles: args => compareFiles(config, args)
    };
}







/***/ })

};
