// Another service verifying the session example's access tokens, as SuperTokens' docs show it: `jose` and the
// example's JWKS. Run by tests/tests/jwt_verifier.rs with the addresses of two instances that share one Redis and
// one root secret: `node tests/jwt/verify.mjs http://127.0.0.1:A http://127.0.0.1:B <issuer>`.
import assert from "node:assert/strict";
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, errors } from "jose";

const [a, b, issuer] = process.argv.slice(2);
const JWKS = "/auth/jwt/jwks.json";

/** Signs `user` in on `base` in header mode; the access token. */
async function signIn(base, user) {
    const response = await fetch(`${base}/sign-in/${user}`, { method: "POST", headers: { "st-auth-mode": "header" } });
    assert.equal(response.status, 200);
    const token = response.headers.get("st-access-token");
    assert.ok(token, "the access token is in st-access-token");
    return token;
}

async function rotate(base) {
    const response = await fetch(`${base}/demo/rotate-signing-keys`, { method: "POST" });
    assert.equal(response.status, 204);
}

async function verify(token, keys) {
    return jwtVerify(token, keys, { algorithms: ["ES256"], issuer });
}

async function rejects(token, keys, why) {
    await assert.rejects(verify(token, keys), (error) => error instanceof errors.JOSEError, why);
}

let checks = 0;
function ok(what) {
    checks += 1;
    console.log(`ok - ${what}`);
}

const remote = createRemoteJWKSet(new URL(`${a}${JWKS}`));
const before = { a: await signIn(a, "alice"), b: await signIn(b, "bob") };
for (const [instance, token] of Object.entries(before)) {
    const { payload, protectedHeader } = await verify(token, remote);
    assert.equal(protectedHeader.alg, "ES256");
    assert.equal(payload.sub, instance === "a" ? "alice" : "bob");
    assert.ok(payload.sessionHandle && payload.refreshTokenHash1 && payload.exp > payload.iat);
    assert.equal(payload.parentRefreshTokenHash1, null);
    assert.deepEqual(payload["st-role"], ["user"]);
    ok(`a token of instance ${instance} verifies through instance a's JWKS`);
}
assert.equal(decodeProtectedHeader(before.a).kid, decodeProtectedHeader(before.b).kid);
ok("both instances sign with the same key");

// A verifier that fetched the key set once, before the rotation, and never again.
const fetched = await (await fetch(`${b}${JWKS}`)).json();
const cached = createLocalJWKSet(fetched);

// Forgeries: a payload changed under the signature, `alg: none`, another issuer.
const [header, payload, signature] = before.a.split(".");
const changed = JSON.parse(Buffer.from(payload, "base64url"));
changed.sub = "mallory";
await rejects(`${header}.${Buffer.from(JSON.stringify(changed)).toString("base64url")}.${signature}`, cached, "changed payload");
const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
await rejects(`${none}.${payload}.`, cached, "alg none");
await assert.rejects(jwtVerify(before.a, cached, { algorithms: ["ES256"], issuer: "https://elsewhere.test" }));
ok("a changed payload, alg none and another issuer are refused");

await rotate(a);
await rotate(b);
const after = { a: await signIn(a, "carol"), b: await signIn(b, "dave") };
assert.notEqual(decodeProtectedHeader(after.a).kid, decodeProtectedHeader(before.a).kid, "a new key signs");
assert.equal(decodeProtectedHeader(after.a).kid, decodeProtectedHeader(after.b).kid);
for (const [instance, token] of Object.entries(after)) {
    await verify(token, cached);
    ok(`after the rotation, a token of instance ${instance} verifies with the key set fetched before it`);
    await verify(token, remote);
    ok(`after the rotation, a token of instance ${instance} verifies through the remote key set`);
}
// A rotation later, the key of the first tokens (which expired two weeks ago in the servers' time) has retired.
await rotate(a);
await rotate(b);
const current = createLocalJWKSet(await (await fetch(`${a}${JWKS}`)).json());
await rejects(before.a, current, "the retired key is gone");
await verify(await signIn(b, "erin"), current);
ok("two rotations later, the first key has retired from the JWKS and the newest verifies");

console.log(`all ${checks} jose checks passed`);
