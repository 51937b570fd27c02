/*
 * What a gateway's status word means. First the words gateways are known to use (every gateway
 * of `docs/gateways.md`, matched case-insensitively, `IN_PROGRESS` = `in-progress` = `InProgress`);
 * then, for a word never seen, what the word says: a failure (`generation_failed`, `rejected`,
 * `moderation_blocked`), a finish (`ready`, `render_complete`, not `not_ready`), a wait
 * (`in_queue`, `awaiting_slot`) or work under way (`upscaling`). A word that says none of these
 * counts as running, and stays visible as it came.
 */

export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

/** Where a word's meaning came from: the list of known words, a reading of the word, or nowhere. */
export type WordSource = 'known' | 'read' | 'none';

export interface StatusMeaning {
	status: TaskStatus;
	source: WordSource;
}

const KNOWN_WORDS: Record<TaskStatus, readonly string[]> = {
	pending: ['pending', 'queued', 'submitted', 'not_start', 'not_started', 'notstarted', 'unknown', 'preparing', 'created', 'starting', 'waiting', 'queuing', 'in_queue'],
	processing: ['processing', 'in_progress', 'running', 'generating', 'video_generating', 'dreaming'],
	completed: ['completed', 'complete', 'success', 'succeeded', 'finished'],
	failed: ['failed', 'failure', 'fail', 'error', 'cancelled', 'canceled', 'aborted', 'expired'],
};

const KNOWN = new Map<string, TaskStatus>(
	(Object.entries(KNOWN_WORDS) as Array<[TaskStatus, readonly string[]]>).flatMap(([status, words]) => words.map((word): [string, TaskStatus] => [word, status])),
);

/** Word stems, matched at the start of each part of a word (`generation_failed` → `generation`, `failed`). */
const FAILED_STEMS = ['fail', 'error', 'err', 'cancel', 'abort', 'reject', 'refus', 'block', 'deni', 'deny', 'expir', 'violat', 'forbid', 'invalid', 'timeout', 'timed', 'terminat', 'kill', 'nsfw', 'censor', 'flagged', 'unsafe', 'banned', 'stopped', 'crash', 'broken', 'lost', 'dead'];
const DONE_STEMS = ['complet', 'succe', 'finish', 'done', 'ready', 'ok', 'deliver', 'available', 'publish', 'generated', 'rendered', 'processed', 'encoded', 'transcoded', 'uploaded', 'postprocessed'];
const WAITING_STEMS = ['queu', 'pend', 'wait', 'await', 'submit', 'schedul', 'accept', 'init', 'prepar', 'hold', 'idle', 'pause', 'new', 'start', 'received', 'reserv', 'enqueu'];
const RUNNING_STEMS = ['process', 'progress', 'run', 'generat', 'render', 'work', 'dream', 'activ', 'busy', 'upload', 'encod', 'transcod', 'compos', 'execut', 'creat', 'mak', 'upscal', 'polish'];
const NEGATIONS: ReadonlySet<string> = new Set(['not', 'no', 'non', 'never']);

/** `IN_PROGRESS`, `in-progress`, `InProgress`, ` In Progress ` → `in_progress`. */
function normalizeWord(word: string): string {
	return word
		.trim()
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '');
}

const startsWithAny = (part: string, stems: readonly string[]) => stems.some((stem) => part.startsWith(stem));

/** `unfinished`, `incomplete`: a done-stem behind a negating prefix. */
function negatedDone(part: string): boolean {
	return ['un', 'in', 'non'].some((prefix) => part.startsWith(prefix) && startsWithAny(part.slice(prefix.length), DONE_STEMS));
}

/** What a word never seen says, or undefined when it says nothing the node can read. */
function readWord(parts: string[]): TaskStatus | undefined {
	if (parts.some((part) => startsWithAny(part, FAILED_STEMS))) return 'failed';
	const negated = parts.some((part) => NEGATIONS.has(part) || negatedDone(part));
	// "completing", "finishing": on the way to done, not done
	const done = parts.some((part) => startsWithAny(part, DONE_STEMS) && !part.endsWith('ing'));
	if (done && !negated) return 'completed';
	if (parts.some((part) => startsWithAny(part, WAITING_STEMS))) return 'pending';
	if (negated || parts.some((part) => startsWithAny(part, RUNNING_STEMS) || part.endsWith('ing'))) return 'processing';
	return undefined;
}

/** The meaning of a status word; a word that says nothing readable counts as running (`source: 'none'`). */
export function meaningOf(word: string): StatusMeaning {
	const normalized = normalizeWord(word);
	const known = KNOWN.get(normalized);
	if (known) return { status: known, source: 'known' };
	const read = readWord(normalized.split('_').filter((part) => part !== ''));
	return read ? { status: read, source: 'read' } : { status: 'processing', source: 'none' };
}

export function isFinal(status: TaskStatus): boolean {
	return status === 'completed' || status === 'failed';
}
