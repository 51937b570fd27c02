/* eslint-disable @n8n/community-nodes/no-restricted-globals -- queue suite: runs outside n8n, starts Debian's redis-server and waits on it with a timer */
/** A throwaway Redis (Debian's redis-server) for the queue suite: a free loopback port, no persistence, its own process group. */
import { freePort, spawnInGroup } from '../../e2e/harness';


export interface Redis {
	readonly port: number;
	stop(): Promise<void>;
}

const READY = 'Ready to accept connections';

export async function startRedis(scratch: string): Promise<Redis> {
	const port = await freePort();
	const proc = spawnInGroup(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratch, '--daemonize', 'no'],
		{ cwd: scratch, env: process.env },
	);
	const exited = new Promise<void>((resolve) => proc.child.on('exit', () => resolve()));
	let output = '';
	const ready = new Promise<void>((resolve) => {
		const collect = (chunk: Buffer): void => {
			output += chunk.toString('utf8');
			if (output.includes(READY)) resolve();
		};
		proc.child.stdout.on('data', collect);
		proc.child.stderr.on('data', collect);
	});
	let timer: NodeJS.Timeout | undefined;
	const outcome = await Promise.race([
		ready.then(() => 'ready' as const),
		exited.then(() => 'exited' as const),
		new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000))),
	]);
	clearTimeout(timer);
	if (outcome !== 'ready') {
		proc.stop();
		throw new Error(`redis-server ${outcome} before "${READY}" (apt-get install redis-server: .ci/run does)\n${output}`);
	}
	return {
		port,
		async stop(): Promise<void> {
			proc.stop('SIGKILL');
			await exited;
		},
	};
}
