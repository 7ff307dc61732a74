// Drives SuperTokens' official frontend SDK (supertokens-web-js, served by the session example) in headless
// Chromium against the session recipe. Started by tests/tests/browser.rs, which serves the example and passes:
//   API_URL       the example app (page and API on one origin), set up with anti-CSRF by token and CORS
//   FRONTEND_URL  the page alone on another origin, calling API_URL
//   CHROMIUM      the browser binary (Debian's /usr/bin/chromium)
// Prints one line per step, "ok - ..." or "not ok - ...", and exits non-zero when a step fails.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const API = process.env.API_URL;
const FRONTEND = process.env.FRONTEND_URL;
const only = process.env.STEPS ? new RegExp(process.env.STEPS) : null;

const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // This machine's network is closed: without these, Chromium keeps trying to reach Google's services.
    args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
});

let failures = 0;
async function step(name, body) {
    if (only && !only.test(name)) return;
    const started = Date.now();
    try {
        await body();
        console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (error) {
        failures += 1;
        console.log(`not ok - ${name}\n${String(error.stack || error).replace(/^/gm, "    ")}`);
    }
}

/** A fresh browser context with the demo page open in `mode`, the SDK's events and refresh calls recorded. */
async function open({ mode, origin = API, legacy = false, context } = {}) {
    context = context || (await browser.newContext());
    const page = await context.newPage();
    const refreshPath = (legacy ? "/legacy" : "") + "/auth/session/refresh";
    const signOutPath = (legacy ? "/legacy" : "") + "/auth/signout";
    const calls = { refresh: [], signOut: [] };
    page.on("console", (message) => {
        if (message.type() === "error") console.log(`    [browser console] ${message.text()}`);
    });
    page.on("response", (response) => {
        const url = new URL(response.url());
        if (url.pathname === refreshPath) calls.refresh.push(response.status());
        if (url.pathname === signOutPath) calls.signOut.push(response.status());
    });
    await page.goto(`${origin}/?mode=${mode}${legacy ? "&legacy" : ""}`);
    const ready = await page.evaluate(() => window.demo && window.demo.ready);
    assert.ok(ready, "the page loaded the SDK (window.demo.ready)");
    // On a first visit the SDK cannot tell whether an HttpOnly session exists, so it tries one refresh
    // (fetch.js, getLocalSessionState(true) with status MAY_EXIST); the steps count the calls after it.
    await page.waitForFunction(() => document.getElementById("state").textContent !== "…");
    calls.refresh.length = 0;
    const demo = (name, ...args) => page.evaluate(([name, args]) => window.demo[name](...args), [name, args]);
    const events = () => page.evaluate(() => window.events.map((event) => event.action));
    const allEvents = () => page.evaluate(() => window.events);
    const waitForEvent = (action) =>
        page.waitForFunction((action) => window.events.some((event) => event.action === action), action, {
            timeout: 5000,
        });
    return { context, page, demo, events, allEvents, waitForEvent, calls };
}

async function expireAccessTokens() {
    const response = await fetch(`${API}/demo/expire-access-tokens`, { method: "POST" });
    assert.equal(response.status, 204);
}

async function signIn(tab, user = "alice") {
    const answer = await tab.demo("signIn", user);
    assert.equal(answer.status, 200, `sign-in: ${answer.body}`);
    await tab.waitForEvent("SESSION_CREATED");
    return answer;
}

/** The session cookies the server set, by name (HttpOnly ones included). */
async function serverCookies(context) {
    const cookies = await context.cookies();
    return Object.fromEntries(
        cookies.filter((c) => c.name === "sAccessToken" || c.name === "sRefreshToken").map((c) => [c.name, c.value])
    );
}

/** The refresh token the tab holds: the HttpOnly cookie, or in header mode the SDK's own `st-refresh-token` cookie. */
async function refreshTokenOf(tab, mode) {
    const cookies = await tab.context.cookies();
    const name = mode === "header" ? "st-refresh-token" : "sRefreshToken";
    const cookie = cookies.find((c) => c.name === name && c.value !== "");
    return cookie && cookie.value;
}

/** Refreshes with `token` outside the browser, as an attacker replaying it would. */
async function refreshWith(token, mode, base = "") {
    const headers = { rid: "session", "st-auth-mode": mode };
    if (mode === "header") headers.authorization = `Bearer ${token}`;
    else headers.cookie = `sRefreshToken=${token}`;
    const response = await fetch(`${API}${base}/auth/session/refresh`, { method: "POST", headers });
    return { status: response.status, body: await response.json() };
}

for (const mode of ["cookie", "header"]) {
    await step(`${mode}: sign-in fires SESSION_CREATED; doesSessionExist, getUserId, getAccessTokenPayloadSecurely`, async () => {
        const tab = await open({ mode });
        assert.equal(await tab.demo("doesSessionExist"), false);
        await signIn(tab);
        assert.equal(await tab.demo("doesSessionExist"), true);
        assert.equal(await tab.demo("getUserId"), "alice");
        const payload = await tab.demo("getAccessTokenPayloadSecurely");
        assert.deepEqual(payload["st-role"], ["user"]);
        assert.equal(payload["st-ev"], false);
        assert.equal(payload.sub, "alice");
        assert.equal(typeof payload.sessionHandle, "string");
        assert.ok(payload.exp > payload.iat && payload.iat > 1.6e9 && payload.iat < 1e10, "iat/exp in seconds");
        const server = await serverCookies(tab.context);
        if (mode === "cookie") assert.ok(server.sAccessToken && server.sRefreshToken, "HttpOnly session cookies");
        else {
            assert.deepEqual(server, {}, "no session cookies in header mode");
            assert.ok(await refreshTokenOf(tab, "header"), "the SDK keeps the header-mode tokens");
        }
        await tab.context.close();
    });

    await step(`${mode}: protected calls (GET, and POST with the anti-csrf token in cookie mode)`, async () => {
        const tab = await open({ mode });
        await signIn(tab);
        const get = await tab.demo("me");
        assert.equal(get.status, 200, get.body);
        assert.equal(JSON.parse(get.body).user, "alice");
        const post = await tab.demo("postMe");
        assert.equal(post.status, 200, post.body);
        assert.deepEqual(tab.calls.refresh, [], "no refresh needed");
        await tab.context.close();
    });

    await step(`${mode}: an invalid claim fires API_INVALID_CLAIM with the claim errors`, async () => {
        const tab = await open({ mode });
        await signIn(tab);
        const answer = await tab.demo("admin");
        assert.equal(answer.status, 403, answer.body);
        await tab.waitForEvent("API_INVALID_CLAIM");
        const event = (await tab.allEvents()).find((e) => e.action === "API_INVALID_CLAIM");
        assert.deepEqual(
            event.claimValidationErrors.map((claim) => claim.id),
            ["st-role", "st-ev"]
        );
        assert.equal(await tab.demo("doesSessionExist"), true, "the session stays");
        await tab.context.close();
    });

    await step(`${mode}: an expired access token is refreshed and the call retried (REFRESH_SESSION)`, async () => {
        const tab = await open({ mode });
        await signIn(tab);
        const before = await tab.demo("getAccessTokenPayloadSecurely");
        await expireAccessTokens();
        const answer = await tab.demo("me");
        assert.equal(answer.status, 200, answer.body);
        assert.deepEqual(tab.calls.refresh, [200], "one refresh");
        assert.ok((await tab.events()).includes("REFRESH_SESSION"));
        const after = await tab.demo("getAccessTokenPayloadSecurely");
        assert.equal(after.sessionHandle, before.sessionHandle);
        assert.ok(after.iat > before.iat, "a new access token");
        const post = await tab.demo("postMe");
        assert.equal(post.status, 200, `POST after refresh (anti-csrf from the refresh): ${post.body}`);
        await tab.context.close();
    });

    await step(`${mode}: several concurrent 401s are answered by exactly one refresh`, async () => {
        const tab = await open({ mode });
        await signIn(tab);
        await expireAccessTokens();
        const answers = await tab.page.evaluate(() =>
            Promise.all([1, 2, 3, 4, 5].map(() => window.demo.me()))
        );
        assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
        assert.deepEqual(tab.calls.refresh, [200], "exactly one refresh call");
        await tab.context.close();
    });

    await step(`${mode}: signOut() calls the server, revokes the session, clears the tokens (SIGN_OUT)`, async () => {
        const tab = await open({ mode });
        await signIn(tab);
        const refreshToken = await refreshTokenOf(tab, mode);
        assert.ok(refreshToken);
        await tab.demo("signOut");
        assert.deepEqual(tab.calls.signOut, [200], "the sign-out endpoint was called");
        assert.ok((await tab.events()).includes("SIGN_OUT"));
        assert.equal(await tab.demo("doesSessionExist"), false);
        assert.deepEqual(await serverCookies(tab.context), {}, "session cookies gone");
        assert.equal(await refreshTokenOf(tab, "header"), undefined, "header-mode tokens gone");
        const frontCookies = (await tab.context.cookies()).filter((c) => c.name === "sFrontToken");
        assert.deepEqual(frontCookies, [], "front token gone");
        const replay = await refreshWith(refreshToken, mode);
        assert.deepEqual(replay, { status: 401, body: { message: "unauthorised" } }, "the session is revoked");
        await tab.context.close();
    });

    await step(`${mode}: theft: a copy of the tokens refreshes after the victim did, past the grace period, and is caught; the victim's next refresh is UNAUTHORISED`, async () => {
        const victim = await open({ mode });
        await signIn(victim);
        // The thief copies every cookie of the victim's browser, HttpOnly ones and the SDK's own.
        const thiefContext = await browser.newContext();
        await thiefContext.addCookies(await victim.context.cookies());
        const thief = await open({ mode, context: thiefContext });
        assert.equal(await thief.demo("doesSessionExist"), true, "the copy looks like a session");

        await expireAccessTokens();
        assert.equal((await victim.demo("me")).status, 200, "the victim refreshes and goes on");
        assert.deepEqual(victim.calls.refresh, [200]);

        // An hour later: past the 30-second grace period in which the old tokens would rotate again.
        await expireAccessTokens();
        const stolen = await thief.demo("me");
        assert.deepEqual(thief.calls.refresh, [401], "the thief's refresh is refused");
        assert.equal(stolen.status, 401);
        assert.deepEqual(JSON.parse(stolen.body), { message: "token theft detected" });
        await thief.waitForEvent("UNAUTHORISED");
        assert.equal(await thief.demo("doesSessionExist"), false);

        await expireAccessTokens();
        const after = await victim.demo("me");
        assert.equal(after.status, 401, after.body);
        assert.deepEqual(victim.calls.refresh, [200, 401], "the victim's next refresh is refused");
        await victim.waitForEvent("UNAUTHORISED");
        const event = (await victim.allEvents()).find((e) => e.action === "UNAUTHORISED");
        assert.equal(event.sessionExpiredOrRevoked, true);
        assert.equal(await victim.demo("doesSessionExist"), false, "no session");
        assert.deepEqual(await serverCookies(victim.context), {}, "cookies cleared");
        await thiefContext.close();
        await victim.context.close();
    });

    await step(`${mode}: theft within the grace period: the copy refreshes, and the victim's next refresh revokes the session (ORPHANED_BRANCH)`, async () => {
        const victim = await open({ mode });
        await signIn(victim);
        const thiefContext = await browser.newContext();
        await thiefContext.addCookies(await victim.context.cookies());
        const thief = await open({ mode, context: thiefContext });

        await expireAccessTokens();
        assert.equal((await victim.demo("me")).status, 200);
        // Within the grace period the previous tokens rotate again, as a retry's would: the thief gets through
        // once, and the victim's tokens become a replaced branch.
        assert.equal((await thief.demo("me")).status, 200);
        assert.deepEqual(thief.calls.refresh, [200]);

        await expireAccessTokens();
        const after = await victim.demo("me");
        assert.equal(after.status, 401, after.body);
        assert.deepEqual(JSON.parse(after.body), { message: "token theft detected" });
        assert.deepEqual(victim.calls.refresh, [200, 401], "the victim's refresh is the alarm");
        const stolen = await thief.demo("me");
        assert.equal(stolen.status, 401, "the session is revoked for the thief too");
        assert.deepEqual(thief.calls.refresh, [200, 401]);
        await thiefContext.close();
        await victim.context.close();
    });

    await step(`${mode}: a page on another origin signs in, refreshes and signs out through the CORS set-up`, async () => {
        const tab = await open({ mode, origin: FRONTEND });
        assert.notEqual(new URL(FRONTEND).origin, new URL(API).origin);
        await signIn(tab);
        assert.equal(await tab.demo("getUserId"), "alice");
        assert.equal((await tab.demo("postMe")).status, 200);
        await expireAccessTokens();
        assert.equal((await tab.demo("me")).status, 200);
        assert.deepEqual(tab.calls.refresh, [200]);
        await tab.demo("signOut");
        assert.deepEqual(tab.calls.signOut, [200]);
        assert.equal(await tab.demo("doesSessionExist"), false);
        await tab.context.close();
    });

    await step(`${mode}: the older config (sessionExpiredStatusCode: 440, custom error_msg callbacks)`, async () => {
        const tab = await open({ mode, legacy: true });
        await signIn(tab, "bob");
        assert.equal(await tab.demo("getUserId"), "bob");
        assert.equal((await tab.demo("me")).status, 200);
        await expireAccessTokens();
        const answer = await tab.demo("me");
        assert.equal(answer.status, 200, answer.body);
        assert.deepEqual(tab.calls.refresh, [200], "the 440 made the SDK refresh");
        assert.ok((await tab.events()).includes("REFRESH_SESSION"));
        const refreshToken = await refreshTokenOf(tab, mode);
        await tab.demo("signOut");
        assert.deepEqual(tab.calls.signOut, [200]);
        assert.ok((await tab.events()).includes("SIGN_OUT"));
        assert.equal(await tab.demo("doesSessionExist"), false);
        const replay = await refreshWith(refreshToken, mode, "/legacy");
        assert.deepEqual(replay, { status: 440, body: { error_msg: "unauthorised" } });
        await tab.context.close();
    });
}

await browser.close();
console.log(failures === 0 ? "all browser steps passed" : `${failures} browser step(s) failed`);
process.exit(failures === 0 ? 0 : 1);
