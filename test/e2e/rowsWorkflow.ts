/* eslint-disable @n8n/community-nodes/no-restricted-globals -- e2e helper: runs outside n8n and polls the REST API with timers */
/**
 * The workflow of "never pay twice for the same row", for the e2e and the queue suites: a webhook
 * takes `{run, callbackUrl, rows: [{prompt, key?}]}` and answers at once; each row goes through
 * Video → Create (waiting; Options → Unique Key = the row's `key`), and each finished video is POSTed
 * to `callbackUrl` as `{run, taskId, status, videoUrl, reused, createdByExecution}`. One row that
 * fails stops the run (the node's default), which is then retried the way the editor's Retry
 * buttons do it (`POST /rest/executions/:id/retry`).
 */
import { EXAMPLE_CREDENTIAL, createVideoParameters } from './examples';
import { isRecord, makeId } from './harness';
import type { Workflow, WorkflowNode } from './harness';
import type { N8nServer } from './server';

export interface Row {
	prompt: string;
	key?: string;
}

/** What the workflow POSTs to the callback URL for each finished video. */
export interface Delivered {
	run: string;
	taskId: string;
	status: string;
	videoUrl: string;
	reused: boolean;
	createdByExecution: string | null;
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	retryOf?: string | null;
}

type NodeInput = Omit<WorkflowNode, 'id' | 'position'>;

/** Webhook (POST `webhookPath`, answered on receipt) → Split Out `body.rows` → Create (wait) → POST each video to the callback. */
export function rowsWorkflow(sora2Type: string, webhookPath: string, pollIntervalSeconds: number): Workflow {
	const nodes: NodeInput[] = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			webhookId: makeId('hook'),
			parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
		},
		{ name: 'One item per row', type: 'n8n-nodes-base.splitOut', typeVersion: 1, parameters: { fieldToSplitOut: 'body.rows', options: {} } },
		{
			name: 'Create video',
			type: sora2Type,
			typeVersion: 1,
			parameters: createVideoParameters({ prompt: '={{ $json.prompt }}', pollInterval: pollIntervalSeconds, options: { uniqueKey: '={{ $json.key }}' } }),
			credentials: { sora2Api: { id: EXAMPLE_CREDENTIAL.id, name: EXAMPLE_CREDENTIAL.name } },
		},
		{
			name: 'Deliver',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: "={{ $('Webhook').first().json.body.callbackUrl }}",
				sendBody: true,
				specifyBody: 'json',
				jsonBody:
					'={{ { "run": $(\'Webhook\').first().json.body.run, "taskId": $json.taskId, "status": $json.status, "videoUrl": $json.videoUrl, "reused": $json.reused === true, "createdByExecution": $json.createdByExecution ?? null } }}',
				options: {},
			},
		},
	];
	const all = nodes.map((node, index): WorkflowNode => ({ ...node, id: makeId('n'), position: [index * 240, 0] }));
	const connections: Workflow['connections'] = {};
	for (let i = 0; i + 1 < all.length; i++) connections[all[i].name] = { main: [[{ node: all[i + 1].name, type: 'main', index: 0 }]] };
	return { id: makeId('wf'), name: 'rows → videos, never paid twice', active: false, nodes: all, connections, settings: { executionOrder: 'v1' } };
}

/** The callbacks of one run, read as the workflow sends them. */
export function deliveredOf(bodies: unknown[], run: string): Delivered[] {
	return bodies.filter((body): body is Delivered => isRecord(body) && body.run === run);
}

/** The workflow's executions, newest first (GET /rest/executions, as the editor's list reads them). */
export async function executionsOf(server: N8nServer, workflowId: string): Promise<ExecutionSummary[]> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const data = await server.rest('GET', `/executions?filter=${filter}&limit=100`);
	const results = isRecord(data) && Array.isArray(data.results) ? data.results.filter(isRecord) : [];
	return results.map((row) => ({ id: String(row.id), status: String(row.status), mode: String(row.mode), retryOf: row.retryOf === undefined ? undefined : (row.retryOf as string | null) }));
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a new execution of the workflow (one not in `known`) to end; returns it. */
export async function nextEndedExecution(server: N8nServer, workflowId: string, known: ReadonlySet<string>, timeoutMs = 120_000): Promise<ExecutionSummary> {
	const deadline = Date.now() + timeoutMs;
	let seen: ExecutionSummary[] = [];
	while (Date.now() < deadline) {
		seen = (await executionsOf(server, workflowId)).filter((execution) => !known.has(execution.id));
		const ended = seen.find((execution) => !['new', 'running', 'waiting', 'unknown'].includes(execution.status));
		if (ended) return ended;
		await sleep(250);
	}
	throw new Error(`no new execution of workflow ${workflowId} ended within ${timeoutMs} ms (new ones: ${JSON.stringify(seen)})`);
}

/**
 * What the editor's Retry buttons send: "Retry with original workflow" POSTs no body, "Retry with
 * currently saved workflow" `{loadWorkflow: true}`. The call answers once the retry has ended.
 */
export async function retryExecution(server: N8nServer, executionId: string, savedWorkflow: boolean): Promise<ExecutionSummary> {
	const data = await server.rest('POST', `/executions/${executionId}/retry`, savedWorkflow ? { loadWorkflow: true } : undefined);
	if (!isRecord(data)) throw new Error(`the retry of execution ${executionId} answered ${JSON.stringify(data)}`);
	return { id: String(data.id), status: String(data.status), mode: String(data.mode), retryOf: typeof data.retryOf === 'string' ? data.retryOf : null };
}
