#!/usr/bin/env bash
# Runs SuperTokens' frontend SDK test suite (supertokens-website's test/, mocha + puppeteer) against the session
# recipe, through our app server (tests/src/bin/frontend_suite_server.rs), and prints pass/fail counts.
#
#   tests/frontend-suite/run.sh SUITE_DIR [TEST_FILE...]
#
# SUITE_DIR is an extracted supertokens-website outside this repository (README.md says how to get it); its
# code is never copied here. The default TEST_FILEs are the backend-relevant part: the fetch client in cookie
# and header mode, and the access-token and session-existence tests. A file of the generated suites
# (interception.*, cross.*) runs once per mode in MODES ("cookie header"), selected by its describe titles
# ("fetch using cookie: ...", "fetch using cookie (...)"); fetch.test.js is the fetch client in cookie mode,
# fetch.headers.test.js in header mode. Logs go to $OUT (default /tmp/frontend-suite-results), one per file and
# mode.
#
# In SUITE_DIR only, and said here because they change the suite's copy: package.json keeps only the
# devDependencies the tests load (plus esbuild and assert, below) and package-lock.json is set aside, as both
# pin GitHub tarballs that the registry cannot serve; test/server/index.html gets axios and assert inline instead
# of from unpkg.com and cdn.skypack.dev, which this machine cannot reach. Puppeteer's launch gets Debian's
# Chromium and the flags of a machine without a network, through a mocha --require file written there.
set -euo pipefail

suite=${1:?usage: run.sh SUITE_DIR [TEST_FILE...]}
suite=$(cd "$suite" && pwd)
shift
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
    files=(fetch.test.js fetch.headers.test.js
        interception.basic1.test.js interception.claims.test.js interception.manual_auth_header.test.js
        cross.auto_refresh.test.js cross.basic_jwt.test.js cross.cross_domain.test.js
        cross.disable_interception.test.js cross.resp_error.test.js cross.token_migration.test.js
        cross.unauthorised_event.test.js
        accessToken.test.js doesSessionExist.test.js)
fi
modes=${MODES:-cookie header}
out=${OUT:-/tmp/frontend-suite-results}
chromium=${CHROMIUM:-/usr/bin/chromium}
repo=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
mkdir -p "$out"

# 1. The suite's dependencies, once.
cd "$suite"
if [ ! -e node_modules/.frontend-suite ]; then
    [ -e package-lock.json ] && mv package-lock.json package-lock.json.orig
    [ -e package.json.orig ] || cp package.json package.json.orig
    node -e '
        const fs = require("fs");
        const p = JSON.parse(fs.readFileSync("package.json.orig"));
        const keep = ["axios", "isomorphic-fetch", "jsonwebtoken", "jwks-rsa", "mocha", "mocha-jsdom", "puppeteer"];
        p.devDependencies = Object.fromEntries(Object.entries(p.devDependencies).filter(([k]) => keep.includes(k)));
        Object.assign(p.devDependencies, { esbuild: "^0.28", assert: "^2" });
        fs.writeFileSync("package.json", JSON.stringify(p, null, 2));'
    PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
    touch node_modules/.frontend-suite
fi

# 2. The test page without the internet, and puppeteer on Debian's Chromium.
[ -e test/server/index.html.orig ] || cp test/server/index.html test/server/index.html.orig
echo 'window.assert = require("assert");' |
    node_modules/.bin/esbuild --bundle --format=iife --platform=browser --minify --log-level=warning \
        --define:global=globalThis \
        --banner:js='(function () { var process = { env: {}, nextTick: (f, ...a) => setTimeout(() => f(...a)) };' \
        --footer:js='})();' > "$out/assert.js"
SUITE_OUT="$out" node -e '
    const fs = require("fs");
    const inline = file => "<script>" + fs.readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script") + "</script>";
    let page = fs.readFileSync("test/server/index.html.orig", "utf8");
    page = page
        .replace(/<script src="https:\/\/unpkg.com\/axios\/dist\/axios.min.js"><\/script>/, () => inline("node_modules/axios/dist/axios.min.js"))
        .replace(/<script src="https:\/\/unpkg.com\/axios-mock-adapter[^"]*"><\/script>/, "")
        .replace(/<script type="module">[^<]*cdn.skypack.dev[^<]*<\/script>/, () => inline(process.env.SUITE_OUT + "/assert.js"));
    if (/src="https:|from .https:/.test(page)) throw new Error("index.html still loads something from the internet");
    fs.writeFileSync("test/server/index.html", page);'
cat > test/frontend-suite-launch.js <<JS
// Written by errorhandler's tests/frontend-suite/run.sh: Debian's Chromium, with no network to reach.
const puppeteer = require("puppeteer");
const launch = puppeteer.launch.bind(puppeteer);
puppeteer.launch = (options = {}) =>
    launch({
        ...options,
        executablePath: "$chromium",
        args: [...(options.args || []), "--disable-gpu", "--disable-quic", "--disable-component-update",
            "--disable-background-networking", "--disable-sync", "--no-first-run"]
    });
JS

# 3. Our server, on the suite's ports 8080 and 8082.
(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --quiet -p errorhandler-tests --bin frontend_suite_server)
"$target/debug/frontend_suite_server" --suite "$suite" 2> "$out/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for port in 8080 8082; do
    for _ in $(seq 50); do
        curl -sf "http://localhost:$port/ping" > /dev/null && break
        kill -0 $server 2>/dev/null || { cat "$out/server.log"; exit 1; }
        sleep 0.2
    done
done

# 4. mocha, one run per file and mode.
summary=$out/summary.tsv
printf 'file\tmode\tpassing\tfailing\tpending\n' > "$summary"
count() { grep -Eo "^ +[0-9]+ $1" "$2" | grep -Eo '[0-9]+' || echo 0; }
for file in "${files[@]}"; do
    case $file in
        interception.*|cross.*) runs=$modes ;;
        fetch.headers.test.js) runs=header ;;
        fetch.test.js) runs=cookie ;;
        *) runs=- ;;
    esac
    for mode in $runs; do
        grep=()
        [ "$mode" != - ] && case $file in interception.*|cross.*) grep=(--grep "^fetch using $mode[: ]") ;; esac
        log=$out/${file%.test.js}.$mode.log
        echo "== $file ($mode)"
        TEST_MODE=testing PUPPETEER_EXECUTABLE_PATH="$chromium" npx mocha --no-config --exit \
            --require isomorphic-fetch --require ./test/frontend-suite-launch.js --timeout 500000 \
            "${grep[@]}" "test/$file" > "$log" 2>&1 || true
        printf '%s\t%s\t%s\t%s\t%s\n' "$file" "$mode" "$(count passing "$log")" "$(count failing "$log")" \
            "$(count pending "$log")" | tee -a "$summary"
    done
done

column -t -s $'\t' "$summary"
awk -F'\t' 'NR > 1 { p += $3; f += $4; s += $5 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$summary"
