/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- e2e harness: runs outside n8n and prepares user folders with Node's own modules */
/** An isolated n8n user folder: import credentials and workflows, execute them. (part of the e2e harness: see ../harness.ts) */
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { E2E_DIR, N8N_BIN, N8N_VERSION, NODE24_BIN, REPO_DIR, ZOD_PROBE_DIR } from './paths';
import type { StagingMode } from './paths';
import { cleanNpmEnv, freePort, killAllN8n, runInGroup } from './processes';
import type { ProcessResult } from './processes';
import { describeResult, makeId, parseRunOutput } from './runData';
import type { CredentialImport, ExecuteResult, Workflow } from './runData';
import { assertBuilt, assertN8nInstalled, installCommunityPackage, npmPack, stageCustomExtension } from './staging';


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
