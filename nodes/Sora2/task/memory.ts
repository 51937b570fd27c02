import { createHash } from 'crypto';

import { TASK_MEMORY_HOURS, TASK_MEMORY_MAX_TASKS } from '../config/defaults';
import { isRecord } from '../shared/values';

/*
 * Money is spent at the create. This file is what Create remembers about the tasks it made, so that
 * running the same item again picks its task up instead of paying a second time. Two lists, both
 * given by the caller (run/settings.ts), so nothing here knows n8n:
 * - the execution's list (n8n's execution context of the node): every task this execution made,
 *   with the node run it belongs to. A retry of the execution carries it (both Retry buttons, in
 *   regular and queue mode), as does Retry On Fail within the execution, and both run the node at
 *   the same run index: so the same request at the same run index is the same item, picked up.
 * - the workflow's list (n8n's workflow static data of the node, saved after every execution but a
 *   manual one): the tasks of items that had a Unique Key, for later executions.
 * Neither holds a prompt, image, key or API key: only hashes, task ids, times and what became of
 * each task.
 */

/** What became of a remembered task: created (maybe still running), or seen completed or failed. */
type TaskState = 'created' | 'completed' | 'failed';

/** One remembered task, as it is stored. */
interface Entry {
	/** Hash of the whole create body and the Base URL. */
	request: string;
	/** Hash of the item's Unique Key and the Base URL, when it had one. */
	key?: string;
	taskId: string;
	/** When the create was answered (ms since 1970). */
	createdAt: number;
	executionId: string;
	/** The node's run in its execution (execution list only). */
	run?: number;
	state: TaskState;
}

/** A task picked up instead of created: what the output and the log say about it. */
export interface RememberedTask {
	taskId: string;
	createdAt: number;
	executionId: string;
}

/** One item's look-up: the task to pick up (if any), and how to remember the one it creates instead. */
export interface Ticket {
	found?: RememberedTask;
	/** A remembered task of this item that is not picked up, and why (it is created again). */
	passedOver?: { taskId: string; why: 'it failed' | 'the Unique Key now comes with another request' };
	created(taskId: string): void;
}

/** Where a list lives (an object n8n keeps: the execution context or the static data of the node). */
export type MemoryStore = Record<string, unknown>;

export interface MemoryContext {
	executionId: string;
	/** The node's run index in this execution (read at the first look-up). */
	runIndex(): number;
	/** The execution's store, opened at the first look-up. */
	openExecution(): MemoryStore;
	/** The workflow's store; undefined when n8n keeps none after this execution (a manual run): then it is neither read nor written. */
	openWorkflow?: () => MemoryStore;
	/**
	 * Write the workflow's store only if it already holds a list when opened (a retry: n8n may give it
	 * a blank store instead of the workflow's, and would then save that blank over the workflow's).
	 */
	workflowListRequired?: boolean;
	now?: () => number;
	windowMs?: number;
	maxTasks?: number;
}

/** The field of a store that holds its list. */
const FIELD = 'createdTasks';
const STATES: readonly string[] = ['created', 'completed', 'failed'] satisfies TaskState[];

/** JSON with every object's keys sorted, so the same request always gives the same text. */
function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (isRecord(value)) {
		const fields = Object.keys(value).filter((name) => value[name] !== undefined).sort();
		return `{${fields.map((name) => `${JSON.stringify(name)}:${canonicalJson(value[name])}`).join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/** 128 bits of sha256 over the parts: enough to never mix two requests, nothing to read back. */
function digest(...parts: string[]): string {
	return createHash('sha256').update(parts.map((part) => JSON.stringify(part)).join('\n')).digest('hex').slice(0, 32);
}

function isEntry(value: unknown): value is Entry {
	if (!isRecord(value)) return false;
	const { request, key, taskId, createdAt, executionId, run, state } = value;
	return typeof request === 'string' && (key === undefined || typeof key === 'string') && typeof taskId === 'string' && taskId !== ''
		&& typeof createdAt === 'number' && Number.isFinite(createdAt) && typeof executionId === 'string'
		&& (run === undefined || typeof run === 'number') && typeof state === 'string' && STATES.includes(state);
}

/** A plain copy without empty fields (what n8n hands over may be a proxy that watches for changes). */
function copyOf(entry: Entry): Entry {
	const copy: Entry = { request: entry.request, taskId: entry.taskId, createdAt: entry.createdAt, executionId: entry.executionId, state: entry.state };
	if (entry.key !== undefined) copy.key = entry.key;
	if (entry.run !== undefined) copy.run = entry.run;
	return copy;
}

interface ListOptions {
	now: () => number;
	windowMs: number;
	maxTasks: number;
	/** Write only if the store held a list when opened. */
	listRequired: boolean;
}

/**
 * One stored list: read once, pruned to the window (default 24 hours) and the newest `maxTasks`
 * (default 1000), and set whole on its store at every change (n8n saves static data only when a
 * value was set on it).
 */
class TaskList {
	private entries: Entry[] | undefined;
	private store: MemoryStore | undefined;
	private writable = true;

	constructor(
		private readonly open: () => MemoryStore,
		private readonly options: ListOptions,
	) {}

	/** The entries within the window, oldest first. */
	live(): Entry[] {
		if (!this.entries) {
			this.store = this.open();
			const stored = this.store[FIELD];
			this.writable = !this.options.listRequired || Array.isArray(stored);
			this.entries = (Array.isArray(stored) ? stored : []).filter(isEntry).map(copyOf).sort((a, b) => a.createdAt - b.createdAt);
		}
		const since = this.options.now() - this.options.windowMs;
		this.entries = this.entries.filter((entry) => entry.createdAt >= since);
		return this.entries;
	}

	/** Adds an entry; with `replaceKey`, one with a key replaces the key's earlier entries. */
	add(entry: Entry, replaceKey: boolean): void {
		const others = this.live().filter((candidate) => !replaceKey || entry.key === undefined || candidate.key !== entry.key);
		this.save([...others, copyOf(entry)]);
	}

	get opened(): boolean {
		return this.entries !== undefined;
	}

	/** Records what became of a task; returns its entry, if the list has it. */
	ended(taskId: string, state: TaskState): Entry | undefined {
		const entries = this.live();
		const entry = entries.find((candidate) => candidate.taskId === taskId);
		if (!entry || entry.state === state) return entry;
		entry.state = state;
		this.save(entries);
		return entry;
	}

	private save(entries: Entry[]): void {
		this.entries = entries.slice(-this.options.maxTasks);
		if (this.store && this.writable) this.store[FIELD] = this.entries.map(copyOf);
	}
}

/** The execution's and the workflow's lists of created tasks, and the look-up of one item in them. */
export class TaskMemory {
	private readonly execution: TaskList;
	private readonly workflow: TaskList | undefined;
	/** Tasks this run already gave to an item: two items never pick up the same task. */
	private readonly claimed = new Set<string>();
	private readonly now: () => number;
	private runIndex: number | undefined;

	constructor(private readonly context: MemoryContext) {
		this.now = context.now ?? Date.now;
		const options: ListOptions = { now: this.now, windowMs: context.windowMs ?? TASK_MEMORY_HOURS * 3_600_000, maxTasks: context.maxTasks ?? TASK_MEMORY_MAX_TASKS, listRequired: false };
		this.execution = new TaskList(context.openExecution, options);
		this.workflow = context.openWorkflow && new TaskList(context.openWorkflow, { ...options, listRequired: context.workflowListRequired === true });
	}

	/**
	 * Looks up one item (`scope` is the Base URL: another provider has other tasks). First this
	 * execution's tasks of the same node run: the newest of the same request and key not given to
	 * another item. Then, for an item with a Unique Key, the key's task in the workflow's list. A task that
	 * failed, or whose key now comes with another request, is passed over: the item creates anew.
	 */
	ticket(body: object, key: string | undefined, scope: string): Ticket {
		const request = digest('request', scope, canonicalJson(body));
		const keyHash = key === undefined ? undefined : digest('key', scope, key);
		const created = (taskId: string) => this.add({ request, key: keyHash, taskId, createdAt: this.now(), executionId: this.context.executionId, state: 'created' });
		const ofExecution = this.inExecution(request, keyHash);
		const entry = ofExecution ?? (keyHash === undefined ? undefined : this.inWorkflow(keyHash));
		if (!entry) return { created };
		if (entry.request !== request) return { created, passedOver: { taskId: entry.taskId, why: 'the Unique Key now comes with another request' } };
		if (entry.state === 'failed') return { created, passedOver: { taskId: entry.taskId, why: 'it failed' } };
		// a key's task picked up belongs to this execution's items too (a retry of it may get a blank workflow store)
		if (!ofExecution) this.execution.add({ ...entry, run: this.run() }, false);
		return { found: { taskId: entry.taskId, createdAt: entry.createdAt, executionId: entry.executionId }, created };
	}

	/** A remembered task was seen final (or is unknown to the provider now: `failed`, so it is created again). */
	ended(taskId: string, status: string): void {
		if (status !== 'completed' && status !== 'failed') return;
		const keyed = this.execution.ended(taskId, status)?.key !== undefined;
		// the workflow's list holds only keyed tasks: it is not opened for others
		if (keyed || this.workflow?.opened) this.workflow?.ended(taskId, status);
	}

	private run(): number {
		this.runIndex ??= this.context.runIndex();
		return this.runIndex;
	}

	/** The same item of the same node run: the same request and the same key (or none). */
	private inExecution(request: string, key: string | undefined): Entry | undefined {
		const runIndex = this.run();
		const same = (candidate: Entry) => candidate.run === runIndex && candidate.request === request && candidate.key === key && !this.claimed.has(candidate.taskId);
		const entry = this.execution.live().filter(same).at(-1);
		if (entry) this.claimed.add(entry.taskId);
		return entry;
	}

	private inWorkflow(key: string): Entry | undefined {
		const entry = this.workflow?.live().filter((candidate) => candidate.key === key).at(-1);
		if (!entry || this.claimed.has(entry.taskId)) return undefined;
		this.claimed.add(entry.taskId);
		return entry;
	}

	private add(entry: Entry): void {
		this.claimed.add(entry.taskId);
		this.execution.add({ ...entry, run: this.run() }, false);
		if (entry.key !== undefined) this.workflow?.add(entry, true);
	}
}
