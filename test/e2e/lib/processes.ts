/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-dangerous-functions -- e2e harness: runs outside n8n and spawns the real n8n CLI and npm */
/** Child processes: n8n and npm in their own process groups, free ports. (part of the e2e harness: see ../harness.ts) */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import * as net from 'node:net';
import type { Readable } from 'node:stream';


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

export function execFileText(
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
export function cleanNpmEnv(): NodeJS.ProcessEnv {
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
