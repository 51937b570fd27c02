import { z } from 'zod';

/*
 * The API's own words in an error answer: OpenAI's `{error: {message, type, code}}`, a bare
 * `{message}`, gateway envelopes `{code, msg}` / `{success: false, message}`, an HTML page or text.
 * Also tells a 200 answer that is really a refusal (`{"error": …}`, `{"code": 500, "msg": …}`)
 * from a real answer, so such a body is reported as the API's refusal, not as a wrong Base URL.
 */

const QUOTE_LIMIT = 500;

const codeSchema = z.union([z.string(), z.number()]).nullish();

const openAiErrorSchema = z
	.object({
		error: z.union([
			z.object({ message: z.string().optional(), type: z.string().nullish(), code: codeSchema }).passthrough(),
			z.string().min(1),
		]),
	})
	.passthrough();

const envelopeErrorSchema = z
	.object({
		code: codeSchema,
		msg: z.string().optional(),
		message: z.string().optional(),
		error_msg: z.string().optional(),
		success: z.boolean().optional(),
	})
	.passthrough();

export interface ApiMessage {
	message: string;
	type?: string;
	code?: string;
}

export function quote(text: string): string {
	const clean = text.replace(/\s+/g, ' ').trim();
	return clean.length > QUOTE_LIMIT ? `${clean.slice(0, QUOTE_LIMIT)}… (${clean.length} characters)` : clean;
}

function codeText(code: string | number | null | undefined): string | undefined {
	return code === undefined || code === null || code === '' ? undefined : String(code);
}

/** The message of a parsed error body, or undefined when it carries none. */
function messageOfValue(parsed: unknown): ApiMessage | undefined {
	const wrapped = openAiErrorSchema.safeParse(parsed);
	if (wrapped.success) {
		const { error } = wrapped.data;
		if (typeof error === 'string') return { message: error };
		const code = codeText(error.code);
		const message = error.message ?? code;
		if (message) return { message, type: error.type ?? undefined, code };
	}
	const envelope = envelopeErrorSchema.safeParse(parsed);
	if (envelope.success) {
		const message = envelope.data.msg ?? envelope.data.message ?? envelope.data.error_msg;
		if (message) return { message, code: codeText(envelope.data.code) };
	}
	return undefined;
}

/** The API's own message from an error body in any of the shapes seen; plain text is quoted. */
export function apiMessageOf(body: string): ApiMessage {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		if (/^\s*<(!doctype|html)/i.test(body)) return { message: `an HTML page: ${quote(body.replace(/<[^>]*>/g, ' '))}` };
		return { message: body.trim() ? quote(body) : '(empty body)' };
	}
	return messageOfValue(parsed) ?? { message: quote(body) };
}

/** Codes an envelope uses for "all is well". */
const SUCCESS_CODES: ReadonlySet<string> = new Set(['0', '200', 'success', 'ok', 'SUCCESS', 'OK']);

/** Fields only a real answer carries (a task, a chat completion, an envelope with data). */
function carriesAnswer(body: Record<string, unknown>): boolean {
	const data = body.data;
	const hasData = data !== undefined && data !== null && !(typeof data === 'object' && Object.keys(data).length === 0);
	return ['id', 'task_id', 'taskId', 'status', 'state', 'choices'].some((key) => body[key] !== undefined && body[key] !== null) || hasData;
}

export interface Refusal extends ApiMessage {
	/** The HTTP-like status the body names (`"code": 500`), when it names one. */
	status?: number;
}

/** A 200 body that is the API saying no (an error envelope with no answer in it), or undefined. */
export function refusalOf(body: unknown): Refusal | undefined {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
	const record = body as Record<string, unknown>;
	if (carriesAnswer(record)) return undefined;
	const hasError = record.error !== undefined && record.error !== null && record.error !== '';
	const code = codeText(envelopeErrorSchema.safeParse(record).data?.code ?? undefined);
	const failedCode = code !== undefined && !SUCCESS_CODES.has(code);
	if (!hasError && !failedCode && record.success !== false) return undefined;
	const api = messageOfValue(record) ?? { message: quote(JSON.stringify(record)) };
	const numeric = Number(api.code ?? code);
	return Number.isInteger(numeric) && numeric >= 400 && numeric <= 599 ? { ...api, status: numeric } : api;
}
