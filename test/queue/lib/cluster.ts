/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- queue suite: runs outside n8n (no node to name in an error), makes scratch folders with Node's own modules */
/**
 * n8n in queue mode, the way users who make many videos run it: Postgres + Redis, one main
 * (`n8n start`), N workers (`n8n worker`) and one webhook process (`n8n webhook`). Every n8n
 * process has its own user folder with the package installed as the community-nodes screen
 * installs it (N8nSession 'installed'), and binary data mode `database` (files written by a worker
 * are read by the main and the webhook process).
 *
 * Every process runs in its own process group on loopback ports that were free; stop() ends them
 * all (also after a start that failed half-way) and removes the scratch folders.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { N8nProcess, N8nSession, killAllN8n } from '../../e2e/harness';
import type { CredentialImport, Timing, Workflow } from '../../e2e/harness';
import { N8nServer } from '../../e2e/server';
import { startPostgres } from './postgres';
import type { Postgres } from './postgres';
import { startRedis } from './redis';
import type { Redis } from './redis';


export interface QueueClusterOptions {
	workers: number;
	/** Jobs each worker runs at once (`n8n worker --concurrency`). */
	concurrency: number;
	credentials: CredentialImport[];
	/** Imported before n8n starts. */
	workflows: Workflow[];
	/** Activated (published) once the main is up, so their webhooks answer. */
	activate: string[];
	/** Extra environment for every n8n process. */
	env?: Record<string, string>;
}

export class QueueCluster {
	readonly timings: Timing[] = [];
	postgres: Postgres | undefined;
	redis: Redis | undefined;
	main: N8nServer | undefined;
	webhook: N8nServer | undefined;
	readonly workers: N8nProcess[] = [];
	private readonly sessions: N8nSession[] = [];

	private constructor(readonly scratch: string) {}

	/** Starts everything; on any failure stops what was started and throws. */
	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'n8n-queue-'));
		await fs.chmod(scratch, 0o755); // the postgres user walks into it
		const cluster = new QueueCluster(scratch);
		try {
			await cluster.startAll(options);
			return cluster;
		} catch (error) {
			await cluster.stop();
			throw error;
		}
	}

	private async time<T>(step: string, fn: () => Promise<T>): Promise<T> {
		const t0 = Date.now();
		try {
			return await fn();
		} finally {
			this.timings.push({ step, ms: Date.now() - t0 });
		}
	}

	private async startAll(options: QueueClusterOptions): Promise<void> {
		const postgres = (this.postgres = await this.time('postgres (initdb + start)', async () => await startPostgres(this.scratch)));
		const redis = (this.redis = await this.time('redis', async () => await startRedis(this.scratch)));
		const env: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: postgres.password,
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			// every user folder is a copy of the same template, so all processes share its encryption key
			...options.env,
		};
		const session = async (role: string): Promise<N8nSession> => {
			const created = await this.time(`user folder + package (${role})`, async () => await N8nSession.create({ staging: 'installed', env }));
			this.sessions.push(created);
			return created;
		};
		const mainSession = await session('main');
		await this.time('import credentials + workflows', async () => {
			await mainSession.importCredentials(options.credentials);
			await mainSession.importWorkflows(options.workflows);
		});
		const main = (this.main = await this.time('n8n start (main, migrations)', async () => await N8nServer.start(mainSession)));
		await main.setupOwner();
		for (const id of options.activate) await main.activateWorkflow(id);
		for (let i = 1; i <= options.workers; i++) {
			const workerSession = await session(`worker ${i}`);
			this.workers.push(
				await this.time(`n8n worker ${i}`, async () => await N8nProcess.start(workerSession, 'worker', { args: [`--concurrency=${options.concurrency}`] })),
			);
		}
		const webhookSession = await session('webhook');
		this.webhook = await this.time('n8n webhook', async () => await N8nServer.start(webhookSession, { command: 'webhook' }));
	}

	/** Executions per status in Postgres (all, or one workflow's). */
	async executionsByStatus(workflowId?: string): Promise<Record<string, number>> {
		if (!this.postgres) throw new Error('Postgres is not running');
		const where = workflowId ? `where "workflowId" = '${workflowId.replace(/'/g, "''")}'` : '';
		const rows = await this.postgres.query(`select status, count(*) from execution_entity ${where} group by status order by status`);
		return Object.fromEntries(rows.map(([status, count]) => [status, Number(count)]));
	}

	/** id → status of a workflow's executions in Postgres. */
	async executionStatuses(workflowId: string): Promise<Map<string, string>> {
		if (!this.postgres) throw new Error('Postgres is not running');
		const rows = await this.postgres.query(`select id, status from execution_entity where "workflowId" = '${workflowId.replace(/'/g, "''")}'`);
		return new Map(rows.map(([id, status]) => [id, status]));
	}

	/** Stops every process (n8n first, then Redis and Postgres) and removes the scratch folders; never throws. */
	async stop(): Promise<void> {
		const quietly = async (fn: () => Promise<void>): Promise<void> => {
			try {
				await fn();
			} catch {
				// keep stopping the rest
			}
		};
		await quietly(async () => await this.webhook?.stop());
		for (const worker of this.workers) await quietly(async () => await worker.stop());
		await quietly(async () => await this.main?.stop());
		await quietly(async () => await this.redis?.stop());
		await quietly(async () => await this.postgres?.stop());
		for (const session of this.sessions) await quietly(async () => await session.dispose());
		killAllN8n();
		await fs.rm(this.scratch, { recursive: true, force: true });
	}
}
