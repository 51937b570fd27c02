/* eslint-disable @n8n/community-nodes/no-restricted-globals -- e2e harness: runs outside n8n, waits on a child process with timers */
/**
 * A long-running n8n command (`n8n start`, `n8n webhook`, `n8n worker`) on a session's user folder,
 * in its own process group, with everything it prints kept. (part of the e2e harness: see ../harness.ts)
 */
import { N8N_BIN, NODE24_BIN } from './paths';
import { spawnInGroup } from './processes';
import type { N8nSession } from './session';


/** What each command prints once it is ready (the same in n8n 1.x and 2.x). */
export const READY_LINES = {
	start: 'Editor is now accessible via',
	webhook: 'Webhook listener waiting for requests.',
	worker: 'n8n worker is now ready',
} as const;

export type N8nCommand = keyof typeof READY_LINES;

export interface N8nProcessOptions {
	/** Extra environment (on top of the session's). */
	env?: Record<string, string>;
	/** Arguments after the command, e.g. ['--concurrency=5']. */
	args?: readonly string[];
	/** How long start() waits for the ready line. Default 120 s. */
	timeoutMs?: number;
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

export class N8nProcess {
	private constructor(
		readonly command: N8nCommand,
		private readonly proc: ReturnType<typeof spawnInGroup>,
		private readonly logs: string[],
		/** Resolves with the exit code once the main process is gone. */
		readonly exited: Promise<number | null>,
	) {}

	/** Starts `n8n <command>` and resolves once it printed its ready line (throws, with its output, if it exits or times out first). */
	static async start(session: N8nSession, command: N8nCommand, options: N8nProcessOptions = {}): Promise<N8nProcess> {
		const env = await session.env(options.env);
		const proc = spawnInGroup(NODE24_BIN, [N8N_BIN, command, ...(options.args ?? [])], { cwd: session.root, env });
		const logs: string[] = [];
		const readyLine = READY_LINES[command];
		let ready = false;
		let onReady: () => void = () => {};
		const readyPromise = new Promise<void>((resolve) => (onReady = resolve));
		const collect = (chunk: Buffer): void => {
			logs.push(chunk.toString('utf8'));
			// the line may straddle two chunks: look at the last two
			if (!ready && logs.slice(-2).join('').includes(readyLine)) {
				ready = true;
				onReady();
			}
		};
		proc.child.stdout.on('data', collect);
		proc.child.stderr.on('data', collect);
		const exited = new Promise<number | null>((resolve) => proc.child.on('exit', (code) => resolve(code)));
		const started = new N8nProcess(command, proc, logs, exited);

		const timeoutMs = options.timeoutMs ?? 120_000;
		let timer: NodeJS.Timeout | undefined;
		const outcome = await Promise.race([
			readyPromise.then(() => 'ready' as const),
			exited.then(() => 'exited' as const),
			new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
		]);
		clearTimeout(timer);
		if (outcome !== 'ready') {
			proc.stop();
			throw new Error(`n8n ${command} ${outcome === 'exited' ? 'exited' : `was not ready after ${timeoutMs} ms`}\n${started.output(60)}`);
		}
		return started;
	}

	/** The process group id (the n8n main process's pid). */
	get pid(): number | undefined {
		return this.proc.child.pid;
	}

	/** Everything the process printed so far. */
	text(): string {
		return this.logs.join('');
	}

	/** What the process printed so far (its last `lines` lines). */
	output(lines = 200): string {
		return this.text().split('\n').slice(-lines).join('\n');
	}

	/** Kills the whole process group at once (SIGKILL), as a crash or an OOM kill would. */
	kill(): void {
		this.proc.stop('SIGKILL');
	}

	/** Stops the process (SIGTERM, then SIGKILL after `graceMs`). */
	async stop(graceMs = 8000): Promise<void> {
		this.proc.stop('SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
		clearTimeout(timer);
		this.proc.stop('SIGKILL');
		await sleep(100);
	}
}
