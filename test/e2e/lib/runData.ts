/** Workflows, credentials and n8n's run data (parsing `n8n execute --rawOutput`). (part of the e2e harness: see ../harness.ts) */
import type { ProcessResult } from './processes';
import { isRecord } from './staging';


export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	/** Webhook, Wait, Form … nodes: the id their webhook URLs are registered under. */
	webhookId?: string;
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

/** The items a node put out on `output` over all its runs (a node in a loop runs more than once). */
export function outputItemsOfAllRuns(result: ExecuteResult | N8nRun, node: string, output = 0): N8nItem[] {
	const runs = resultDataOf(result)?.runData[node] ?? [];
	return runs.flatMap((_, run) => outputItems(result, node, output, run));
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
