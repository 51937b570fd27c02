/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- queue suite: runs outside n8n, starts Debian's Postgres in a scratch folder (no node to name in an error) with Node's own modules */
/**
 * A throwaway Postgres (Debian's postgresql package) for the queue suite: its own data folder, a free
 * loopback port, its own process group; `stop()` ends it. As root (CI) the server runs as the
 * `postgres` user through `su`, as Postgres refuses to run as root.
 */
import { existsSync, readdirSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

import { execFileText, freePort, spawnInGroup } from '../../e2e/harness';


/** The newest Debian Postgres install: /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).map(Number) : [];
	const newest = majors.sort((a, b) => b - a).find((major) => existsSync(path.join(root, String(major), 'bin', 'postgres')));
	if (newest === undefined) throw new Error(`no Postgres in ${root}: apt-get install postgresql (.ci/run does)`);
	return path.join(root, String(newest), 'bin');
}

const isRoot = (): boolean => process.getuid?.() === 0;

function shellQuote(arg: string): string {
	return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `command` as the postgres user when we are root (Postgres will not run as root), else as it is. */
function asPostgres(command: readonly string[]): { file: string; args: string[] } {
	if (!isRoot()) return { file: command[0], args: command.slice(1) };
	return { file: 'su', args: ['postgres', '-s', '/bin/sh', '-c', `exec ${command.map(shellQuote).join(' ')}`] };
}

export interface Postgres {
	readonly port: number;
	/** The database, user and password n8n uses. */
	readonly database: 'n8n';
	readonly user: 'n8n';
	readonly password: 'n8n';
	/** Runs SQL in the n8n database; rows as arrays of column texts. */
	query(sql: string): Promise<string[][]>;
	stop(): Promise<void>;
}

export async function startPostgres(scratch: string): Promise<Postgres> {
	const bin = postgresBinDir();
	const dir = path.join(scratch, 'postgres');
	const data = path.join(dir, 'data');
	await fs.mkdir(dir, { recursive: true });
	if (isRoot()) {
		const uid = Number((await execFileText('id', ['-u', 'postgres'], { cwd: scratch })).stdout.trim());
		const gid = Number((await execFileText('id', ['-g', 'postgres'], { cwd: scratch })).stdout.trim());
		await fs.chown(dir, uid, gid);
	}
	const initdb = asPostgres([path.join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
	await execFileText(initdb.file, initdb.args, { cwd: dir, timeoutMs: 120_000 });

	const port = await freePort();
	// a test database: no fsync; the socket in its own folder, TCP on loopback only
	const server = asPostgres([
		path.join(bin, 'postgres'),
		'-D', data,
		'-p', String(port),
		'-k', dir,
		'-c', 'listen_addresses=127.0.0.1',
		'-c', 'max_connections=200',
		'-c', 'fsync=off',
		'-c', 'synchronous_commit=off',
		'-c', 'full_page_writes=off',
	]);
	const proc = spawnInGroup(server.file, server.args, { cwd: dir, env: process.env });
	const logs: string[] = [];
	proc.child.stdout.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
	proc.child.stderr.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
	const exited = new Promise<void>((resolve) => proc.child.on('exit', () => resolve()));

	const psql = async (database: string, sql: string): Promise<string> =>
		(await execFileText('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\t', '-c', sql], { cwd: dir })).stdout;

	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			await psql('postgres', 'select 1');
			break;
		} catch (error) {
			if (Date.now() > deadline) {
				proc.stop();
				throw new Error(`Postgres did not accept connections within 30 s: ${String(error)}\n${logs.join('')}`);
			}
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}
	await psql('postgres', "create user n8n with password 'n8n'");
	await psql('postgres', 'create database n8n owner n8n');

	return {
		port,
		database: 'n8n',
		user: 'n8n',
		password: 'n8n',
		async query(sql: string): Promise<string[][]> {
			const out = await psql('n8n', sql);
			return out.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
		},
		async stop(): Promise<void> {
			// SIGINT: Postgres' fast shutdown; SIGKILL whatever is left after 10 s
			proc.stop('SIGINT');
			let timer: NodeJS.Timeout | undefined;
			await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
			clearTimeout(timer);
			proc.stop('SIGKILL');
		},
	};
}
