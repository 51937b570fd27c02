#!/usr/bin/env node
// `npm run demo`: one video through the Sora2 node in a REAL n8n, from a fresh clone.
//
//   1. installs what is missing (npm ci), builds the package (npm run build)
//   2. installs the pinned headless n8n + Node 24 into .cache/n8n-e2e (scripts/e2e/setup-n8n.sh; once)
//   3. compiles the e2e harness (test/e2e/harness.ts, examples.ts) into .cache/demo, so the demo and
//      the e2e suite share one implementation
//   4. starts the mock Sora2 server (or uses the real API when SORA2_API_KEY is set; base URL from
//      SORA2_BASE_URL, default https://api.6ai.chat/v1), installs the package into a scratch n8n
//      user folder from its `npm pack` tarball (as the community-nodes screen does), imports the
//      credential and examples/01-create-video.json, runs it with `n8n execute`
//   5. prints the output item (stdout) and a one-line summary; exits 0, or 1 when anything failed.
// Progress goes to stderr, so `npm run demo --silent > item.json` keeps only the result.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const say = (text) => process.stderr.write(`[demo] ${text}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

function run(what, command, args) {
	const t0 = Date.now();
	say(`${what} …`);
	// the child's stdout goes to our stderr: stdout is for the result only
	const result = spawnSync(command, args, {
		cwd: repo,
		stdio: ['ignore', 2, 2],
		env: { ...process.env, CI: process.env.CI ?? 'true' },
	});
	if (result.error || result.status !== 0) {
		throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
	}
	say(`${what}: ${seconds(Date.now() - t0)}`);
}

async function main() {
	const [major, minor] = process.versions.node.split('.').map(Number);
	if (major < 20 || (major === 20 && minor < 15)) throw new Error(`Node.js 20.15 or newer is needed (this is ${process.version})`);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

	if (!existsSync(path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc')) || !existsSync(path.join(repo, 'node_modules', 'n8n-workflow', 'package.json'))) {
		run('npm ci (first run: installs the dev tools)', npm, ['ci', '--no-audit', '--no-fund']);
	}
	run('npm run build', npm, ['run', 'build', '--silent']);
	run('n8n (pinned, headless; first run takes a few minutes)', 'bash', [path.join(repo, 'scripts', 'e2e', 'setup-n8n.sh')]);
	run('compile the e2e harness', process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(repo, 'scripts', 'tsconfig.demo.json')]);

	const require = createRequire(import.meta.url);
	const harness = require(path.join(repo, '.cache', 'demo', 'test', 'e2e', 'harness.js'));
	const examples = require(path.join(repo, '.cache', 'demo', 'test', 'e2e', 'examples.js'));

	const apiKey = process.env.SORA2_API_KEY?.trim();
	let mock;
	let session;
	const stopEverything = () => {
		harness.killAllN8n();
		process.exit(130);
	};
	process.once('SIGINT', stopEverything);
	process.once('SIGTERM', stopEverything);
	try {
		let api;
		if (apiKey) {
			api = { baseUrl: process.env.SORA2_BASE_URL?.trim() || 'https://api.6ai.chat/v1', apiKey };
			say(`using the REAL Sora2 API at ${api.baseUrl} (SORA2_API_KEY is set): this creates one billed video`);
		} else {
			// a task takes a few seconds here, so the wait is visible (the real API: minutes)
			mock = await harness.startMock({ pendingMs: 1000, generationMs: 5000 });
			api = { baseUrl: mock.baseUrl, apiKey: harness.MOCK_API_KEY };
			say(`mock Sora2 server at ${mock.baseUrl} (set SORA2_API_KEY to use the real API)`);
		}

		const t0 = Date.now();
		session = await harness.N8nSession.create({ staging: 'installed' });
		say(`package installed from its npm pack tarball into ${session.packageDir}: ${seconds(Date.now() - t0)}`);
		const example = examples.loadExample('createVideo');
		const workflow = examples.prepareExample(example, { mode: 'installed', pollIntervalSeconds: mock ? 1 : undefined });
		const sora2 = examples.sora2Nodes(workflow)[0];
		await session.importCredentials([examples.exampleCredential(api)]);
		await session.importWorkflows([workflow]);
		say(`imported the credential "${examples.EXAMPLE_CREDENTIAL.name}" and examples/${examples.EXAMPLES.createVideo}`);

		say(`n8n execute: "${workflow.name}" …`);
		const maxWaitSeconds = Number(sora2.parameters.maxWait) || 1200;
		const result = await session.execute(workflow.id, (mock ? 120 : maxWaitSeconds + 180) * 1000);
		if (!result.ok) {
			const error = result.run?.data.resultData.runData?.[sora2.name]?.[0]?.error ?? result.error;
			if (error) {
				const { message, description, httpCode } = error;
				process.stdout.write(`${JSON.stringify({ error: message, description, httpCode }, null, 2)}\n`);
			}
			throw new Error(error ? `the workflow failed: ${error.message}${error.description ? ` — ${error.description}` : ''}` : `the workflow did not run cleanly\n${harness.describeResult(result)}`);
		}
		const [item] = harness.outputItems(result, sora2.name);
		if (!item) throw new Error(`"${sora2.name}" put out no item\n${harness.describeResult(result)}`);
		process.stdout.write(`${JSON.stringify(item.json, null, 2)}\n`);
		const video = item.json;
		const ranFor = result.run?.startedAt && result.run?.stoppedAt ? Date.parse(result.run.stoppedAt) - Date.parse(result.run.startedAt) : result.durationMs;
		const where = mock ? 'the bundled mock Sora2 server (its link works only while the demo runs)' : api.baseUrl;
		process.stdout.write(
			`Sora2 demo: ${video.status === 'completed' ? 'OK' : 'NOT OK'} — video ${video.status} in ${seconds(ranFor)} (${video.attempts?.polls ?? '?'} status check${video.attempts?.polls === 1 ? '' : 's'}), ` +
				`task ${video.taskId}, ${video.videoUrl ?? 'no video link'} · n8n ${harness.N8N_VERSION} headless, n8n-nodes-sora2 installed from its npm pack tarball, against ${where}; ${seconds(Date.now() - started)} in all\n`,
		);
		if (video.status !== 'completed' || typeof video.videoUrl !== 'string') process.exitCode = 1;
	} finally {
		await session?.dispose();
		await mock?.close();
	}
}

main().catch((error) => {
	say(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
});
