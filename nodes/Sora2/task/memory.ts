import { createHash } from 'crypto';

import { TASK_MEMORY_HOURS, TASK_MEMORY_MAX_TASKS } from '../config/defaults';
import { isRecord } from '../shared/values';

/*
 * Money is spent at the create. This file is what Create remembers between executions about the
 * tasks it made, so that a retry of a failed execution, or a run that names an item's Unique Key
 * again, picks up the task instead of paying for it a second time. It knows nothing of n8n: it is
 * given a store (n8n's workflow static data of the node, saved by n8n after every execution but a
 * manual run) and whether this execution is a retry. The store holds no prompt, image, key or API
 * key: only hashes, task ids, times and what became of each task.
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

/** Where the memory lives between executions (n8n's static data of the node). */
export type MemoryStore = Record<string, unknown>;

export interface MemoryContext {
	executionId: string;
	/** n8n keeps the store after this execution (it does for every mode but a manual run). */
	kept: boolean;
	/** This execution retries an earlier one: a request seen within the window is picked up without a key. */
	retry: boolean;
	/** The store, opened at the first look-up (only Create needs it). */
	open(): MemoryStore;
	now?: () => number;
	windowMs?: number;
	maxTasks?: number;
}

/** The field of the node's static data that holds the entries. */
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
	const { request, key, taskId, createdAt, executionId, state } = value;
	return typeof request === 'string' && (key === undefined || typeof key === 'string') && typeof taskId === 'string' && taskId !== ''
		&& typeof createdAt === 'number' && Number.isFinite(createdAt) && typeof executionId === 'string' && typeof state === 'string' && STATES.includes(state);
}

/** A plain copy (what n8n hands over is a proxy that watches for changes). */
function copyOf(entry: Entry): Entry {
	const { request, key, taskId, createdAt, executionId, state } = entry;
	return key === undefined ? { request, taskId, createdAt, executionId, state } : { request, key, taskId, createdAt, executionId, state };
}

/**
 * The tasks one Create node made within the window (default 24 hours, at most the newest 1000), read
 * once per run and written back whole at every change (n8n saves the node's static data when it
 * changed, and only a value set on it counts as a change).
 */
export class TaskMemory {
	private entries: Entry[] | undefined;
	private store: MemoryStore | undefined;
	/** Tasks this run already gave to an item: two items never pick up the same task. */
	private readonly claimed = new Set<string>();
	private readonly now: () => number;
	private readonly windowMs: number;
	private readonly maxTasks: number;

	constructor(private readonly context: MemoryContext) {
		this.now = context.now ?? Date.now;
		this.windowMs = context.windowMs ?? TASK_MEMORY_HOURS * 3_600_000;
		this.maxTasks = context.maxTasks ?? TASK_MEMORY_MAX_TASKS;
	}

	/**
	 * Looks up one item's request (`scope` is the Base URL: another provider has other tasks). With a
	 * Unique Key: the key's task, if its request is the same and it did not fail. Without one, in a
	 * retry only: the newest task of the same request not given to another item, unless it failed.
	 */
	ticket(body: object, key: string | undefined, scope: string): Ticket {
		if (!this.context.kept) return { created: () => undefined };
		const request = digest('request', scope, canonicalJson(body));
		const keyHash = key === undefined ? undefined : digest('key', scope, key);
		const created = (taskId: string) => this.add({ request, key: keyHash, taskId, createdAt: this.now(), executionId: this.context.executionId, state: 'created' });
		const entry = keyHash === undefined ? this.retried(request) : this.keyed(keyHash);
		if (!entry) return { created };
		if (entry.request !== request) return { created, passedOver: { taskId: entry.taskId, why: 'the Unique Key now comes with another request' } };
		if (entry.state === 'failed') return { created, passedOver: { taskId: entry.taskId, why: 'it failed' } };
		return { found: { taskId: entry.taskId, createdAt: entry.createdAt, executionId: entry.executionId }, created };
	}

	/** A remembered task was seen final (or is unknown to the provider now: `failed`, so it is created again). */
	ended(taskId: string, status: string): void {
		if (!this.context.kept || (status !== 'completed' && status !== 'failed')) return;
		const entries = this.live();
		const entry = entries.find((candidate) => candidate.taskId === taskId);
		if (!entry || entry.state === status) return;
		entry.state = status;
		this.save(entries);
	}

	private keyed(key: string): Entry | undefined {
		const entry = this.live().filter((candidate) => candidate.key === key).at(-1);
		if (!entry || this.claimed.has(entry.taskId)) return undefined;
		this.claimed.add(entry.taskId);
		return entry;
	}

	private retried(request: string): Entry | undefined {
		if (!this.context.retry) return undefined;
		const entry = this.live().filter((candidate) => candidate.request === request && !this.claimed.has(candidate.taskId)).at(-1);
		if (entry) this.claimed.add(entry.taskId);
		return entry;
	}

	private add(entry: Entry): void {
		this.claimed.add(entry.taskId);
		const others = this.live().filter((candidate) => entry.key === undefined || candidate.key !== entry.key);
		this.save([...others, copyOf(entry)]);
	}

	/** The entries within the window, oldest first, read from the store once per run. */
	private live(): Entry[] {
		if (!this.entries) {
			this.store = this.context.open();
			const stored = this.store[FIELD];
			this.entries = (Array.isArray(stored) ? stored : []).filter(isEntry).map(copyOf).sort((a, b) => a.createdAt - b.createdAt);
		}
		const since = this.now() - this.windowMs;
		this.entries = this.entries.filter((entry) => entry.createdAt >= since);
		return this.entries;
	}

	/** Prunes to the newest `maxTasks` and sets the whole list on the store (so n8n sees the change). */
	private save(entries: Entry[]): void {
		this.entries = entries.slice(-this.maxTasks);
		if (this.store) this.store[FIELD] = this.entries.map(copyOf);
	}
}
