/**
 * The tasks a process created, read back from its log: Video → Create logs, when a create is accepted,
 * `Sora2 task created: <taskId> (execution <executionId>, workflow <workflowId>, node "<name>", item <i>)`.
 * That line is how the videos of a worker that died mid-run are found again.
 */

export interface CreatedTask {
	taskId: string;
	executionId: string;
	itemIndex: number;
	/** The whole log line, as printed. */
	line: string;
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const CREATED = /Sora2 task created: (\S+) \(execution (\S+?),.*?item (\d+)\)/;

/** Every task-created line in `log`, in order. */
export function createdTasks(log: string): CreatedTask[] {
	return log
		.replace(ANSI, '')
		.split(/\r?\n/)
		.flatMap((line) => {
			const match = CREATED.exec(line);
			return match ? [{ taskId: match[1], executionId: match[2], itemIndex: Number(match[3]), line: line.trim() }] : [];
		});
}

/** The execution ids a worker logged as started (`Worker started execution <id> (job <n>)`). */
export function startedExecutions(log: string): string[] {
	return [...log.replace(ANSI, '').matchAll(/Worker started execution (\d+)/g)].map((match) => match[1]);
}
