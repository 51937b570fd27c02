import type { CallSite } from '../transport';
import { LABELS } from './labels';

/** What every error after a create says: the task exists, is paid, and how to pick it up. */
export function pickUpNote(taskId: string): string {
	return `Task ${taskId} was created (and is paid for) and goes on at the provider: pick it up with ${LABELS.getTask}, Task ID "${taskId}", Wait for Completion on. Do not create it again, or you pay twice.`;
}

/** What a failed download says: the video is done, and how to fetch it again. */
export function fetchAgainNote(taskId: string): string {
	return `Task ${taskId} is done: ${LABELS.getTask} with Task ID "${taskId}" and Download Video on fetches the video again (with a fresh link if this one expired).`;
}

/** Get Task's own reads: the task is unchanged at the provider. */
export function readAgainNote(taskId: string): string {
	return `Task ${taskId} is unchanged at the provider: run ${LABELS.getTask} again later.`;
}

/** The site of every request about a task, naming it and how to pick it up. */
export function taskSite(itemIndex: number, operation: string, taskId: string, note: (taskId: string) => string): CallSite {
	return { itemIndex, operation, taskId, taskNote: note(taskId) };
}
