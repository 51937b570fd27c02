import type { IExecuteFunctions } from 'n8n-workflow';

import { LABELS } from './labels';

export interface LeftBehind {
	itemIndex: number;
	taskId: string;
}

/**
 * The tasks created in one run: money is spent at the create, so each is written to n8n's log the
 * moment it exists (found there even when this process dies), and the run's error lists every one
 * that did not finish, to be collected with Get Task instead of paid for again.
 */
export class TaskLedger {
	private readonly open = new Map<number, string>();

	constructor(private readonly fn: IExecuteFunctions) {}

	created(itemIndex: number, taskId: string): void {
		this.open.set(itemIndex, taskId);
		const executionId = this.fn.getExecutionId();
		const workflowId = this.fn.getWorkflow().id ?? '';
		this.fn.logger.info(
			`Sora2 task created: ${taskId} (execution ${executionId}, workflow ${workflowId}, node "${this.fn.getNode().name}", item ${itemIndex})`,
			{ taskId, executionId, itemIndex },
		);
	}

	/** The item's task needs nothing more: its output is out, or the provider ended it (failed). */
	settled(itemIndex: number): void {
		this.open.delete(itemIndex);
	}

	leftBehind(): LeftBehind[] {
		return [...this.open.entries()].map(([itemIndex, taskId]) => ({ itemIndex, taskId })).sort((a, b) => a.itemIndex - b.itemIndex);
	}
}

/** The sentence that lists a stopped run's unfinished tasks and how to collect them. */
export function leftBehindNote(tasks: LeftBehind[]): string {
	const list = tasks.map((task) => `item ${task.itemIndex}: ${task.taskId}`).join(', ');
	const count = tasks.length === 1 ? '1 task was' : `${tasks.length} tasks were`;
	return `${count} created in this run and did not finish (paid, still at the provider): ${list}. Collect each with ${LABELS.getTask} (Task ID, Wait for Completion on) instead of creating it again.`;
}
