import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { CHAT_MODEL } from '../config/defaults';
import { parseBodyFields } from '../shared/bodyFields';
import type { ReservedKeys } from '../shared/bodyFields';
import { describeValue, errorMessage, fail, isRecord, numberOf, ok } from '../shared/values';
import type { Result } from '../shared/values';
import { inputError } from '../transport';
import { FUNCTION_NAME, functionToolSchema } from './schemas';

/*
 * Reading the fields of Chat → Completion into the documented request body, checking each the way
 * the API would, before anything is sent. Every check gives back what is wrong and how to fix it;
 * that becomes an input error naming the item.
 */

/** What is wrong with a field, and how to fix it. */
interface Problem {
	problem: string;
	fix: string;
}

type Checked<T> = Result<T, Problem>;

const bad = (problem: string, fix: string): { ok: false; error: Problem } => fail({ problem, fix });

const CHAT_ROLES = ['system', 'user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export interface ChatMessage extends IDataObject {
	role: ChatRole;
	/** Text, or (from JSON) OpenAI content parts such as [{"type":"text","text":…},{"type":"image_url",…}]. */
	content: string | IDataObject[];
}

function isRole(value: unknown): value is ChatRole {
	return typeof value === 'string' && (CHAT_ROLES as readonly string[]).includes(value);
}

const ROLE_FIX = 'Use one of the roles system, user or assistant.';

/** Messages from the "Messages" rows (a fixedCollection: `{ values: [{ role, content }] }`). */
function messagesFromRows(raw: unknown): Checked<ChatMessage[]> {
	const rows: unknown = isRecord(raw) ? raw.values : undefined;
	const list = Array.isArray(rows) ? rows : [];
	if (list.length === 0) {
		return bad('Messages is empty', 'Add a message (role User, the prompt as Content), or set Specify Messages to "Using JSON".');
	}
	const messages: ChatMessage[] = [];
	for (const [at, row] of list.entries()) {
		const label = `Messages, message ${at + 1}`;
		const { role, content } = isRecord(row) ? row : { role: undefined, content: undefined };
		if (!isRole(role)) return bad(`${label}: the role ${JSON.stringify(role ?? null)} is not known`, ROLE_FIX);
		const text = typeof content === 'number' ? String(content) : content;
		if (typeof text !== 'string') {
			return bad(`${label} (${role}): Content must be text, but the expression gave ${describeValue(content)}`, 'Map a text field into Content, or wrap the expression in String(…).');
		}
		if (text.trim() === '') return bad(`${label} (${role}) has an empty Content`, 'Write the text of the message in Content, or remove the message.');
		messages.push({ role, content: text });
	}
	return ok(messages);
}

const JSON_FIX =
	'Give a JSON array such as [{"role": "user", "content": "a cat on a skateboard"}], or map such an array from an earlier node.';

/** Messages from "Messages (JSON)": a JSON text or, from an expression, the array itself. */
function messagesFromJson(raw: unknown): Checked<ChatMessage[]> {
	let value = raw;
	if (typeof raw === 'string') {
		if (raw.trim() === '') return bad('Messages (JSON) is empty', JSON_FIX);
		try {
			value = JSON.parse(raw) as unknown;
		} catch (error) {
			return bad(`Messages (JSON) is not valid JSON (${errorMessage(error)})`, JSON_FIX);
		}
	}
	if (!Array.isArray(value)) {
		const fix = isRecord(value) && Array.isArray(value.messages) ? 'It is an object with a "messages" list: map that list (e.g. {{ $json.messages }}).' : JSON_FIX;
		return bad(`Messages (JSON) must be an array of {role, content} objects, but it is ${describeValue(value)}`, fix);
	}
	if (value.length === 0) return bad('Messages (JSON) is an empty array', JSON_FIX);
	const messages: ChatMessage[] = [];
	for (const [at, entry] of value.entries()) {
		const label = `Messages (JSON), message ${at + 1}`;
		if (!isRecord(entry)) return bad(`${label} is ${describeValue(entry)}, not a {role, content} object`, JSON_FIX);
		const { role, content } = entry;
		if (!isRole(role)) return bad(`${label}: the role ${JSON.stringify(role ?? null)} is not known`, ROLE_FIX);
		if (typeof content === 'string') {
			if (content.trim() === '') return bad(`${label} (${role}) has an empty content`, 'Give every message a non-empty "content", or leave the message out.');
			messages.push({ ...(entry as IDataObject), role, content });
		} else if (Array.isArray(content) && content.length > 0 && content.every((part) => isRecord(part) && typeof part.type === 'string')) {
			messages.push({ ...(entry as IDataObject), role, content: content.filter(isRecord) as IDataObject[] });
		} else {
			return bad(`${label} (${role}): "content" must be text (or a list of content parts), but it is ${describeValue(content ?? null)}`, JSON_FIX);
		}
	}
	return ok(messages);
}

/** The tools as sent: the documented names (`function:NAME`), or OpenAI function objects. */
export type ChatTools = string[] | IDataObject[];

const TOOLS_FIX =
	'Write each tool as function:NAME (e.g. function:generate_animate), separated by commas or new lines, or give a JSON array of OpenAI function objects ({"type": "function", "function": {"name": …}}).';

function toolEntries(raw: unknown): Checked<unknown[]> {
	if (raw === undefined || raw === null) return ok([]);
	if (Array.isArray(raw)) return ok(raw);
	if (isRecord(raw)) return ok([raw]);
	if (typeof raw !== 'string') return bad(`Tools must be text or a list, but the expression gave ${describeValue(raw)}`, TOOLS_FIX);
	const text = raw.trim();
	if (text === '') return ok([]);
	if (text.startsWith('[') || text.startsWith('{')) {
		try {
			const parsed = JSON.parse(text) as unknown;
			return ok(Array.isArray(parsed) ? parsed : [parsed]);
		} catch (error) {
			return bad(`Tools is not valid JSON (${errorMessage(error)})`, TOOLS_FIX);
		}
	}
	return ok(text.split(/[\n,]/).map((part) => part.trim()).filter((part) => part !== ''));
}

/**
 * Tools: names (`function:generate_animate`; a bare `generate_animate` gets the prefix) and/or
 * OpenAI function objects. Names are sent as the documented strings; when objects are given too,
 * every name becomes an object, so the list has one form.
 */
function parseTools(raw: unknown): Checked<ChatTools> {
	const entries = toolEntries(raw);
	if (!entries.ok) return entries;
	const names: string[] = [];
	const objects: IDataObject[] = [];
	for (const [at, entry] of entries.value.entries()) {
		if (typeof entry === 'string') {
			const name = entry.trim().replace(/^function:/, '');
			if (!FUNCTION_NAME.test(name)) return bad(`Tools: "${entry}" is not a tool name`, TOOLS_FIX);
			names.push(name);
			objects.push({ type: 'function', function: { name } });
			continue;
		}
		if (!functionToolSchema.safeParse(entry).success || !isRecord(entry)) {
			return bad(`Tools, entry ${at + 1}, is not an OpenAI function object: ${JSON.stringify(entry)}`, TOOLS_FIX);
		}
		objects.push(entry as IDataObject);
	}
	return ok(objects.length === names.length ? names.map((name) => `function:${name}`) : objects);
}

/** The function names that the tools declare. */
function toolNames(tools: ChatTools): string[] {
	const list: Array<string | IDataObject> = tools;
	return list.map((tool) => {
		if (typeof tool === 'string') return tool.replace(/^function:/, '');
		const fn = tool.function;
		return isRecord(fn) && typeof fn.name === 'string' ? fn.name : '';
	});
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

/** The `tool_choice` to send (undefined: send none, there are no tools). */
function toolChoiceOf(mode: unknown, functionName: unknown, tools: ChatTools): Checked<ToolChoice | undefined> {
	const names = toolNames(tools);
	const listed = names.length ? `Tools lists ${names.join(', ')}` : 'Tools is empty';
	switch (mode) {
		case 'auto':
		case 'none':
			return ok(names.length ? mode : undefined);
		case 'required':
			return names.length ? ok(mode) : bad('Tool Choice is "Required", but Tools is empty', 'Add a tool (e.g. function:generate_animate) to Tools, or set Tool Choice to Auto.');
		case 'function': {
			const name = typeof functionName === 'string' ? functionName.trim().replace(/^function:/, '') : '';
			if (name === '') return bad('Tool Choice is "Function", but Function Name is empty', `Enter the name of one of the tools in Function Name (${listed}).`);
			if (!names.includes(name)) {
				return bad(`Tool Choice names the function "${name}", which is not in Tools (${listed})`, `Add function:${name} to Tools, or name one of its functions in Function Name.`);
			}
			return ok({ type: 'function', function: { name } });
		}
		default:
			return bad(`Tool Choice "${String(mode)}" is not known`, 'Choose Auto, None, Required or Function in Tool Choice.');
	}
}

/** Temperature: a number from 0 to 2 (undefined: not set, not sent). */
function temperatureOf(raw: unknown): Checked<number | undefined> {
	if (raw === undefined || raw === '') return ok(undefined);
	const value = numberOf(raw);
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2) {
		return bad(`Temperature must be a number from 0 to 2, got ${JSON.stringify(raw)}`, 'Set Temperature between 0 (focused) and 2 (most random), or remove the option.');
	}
	return ok(value);
}

/** Max Tokens: a whole number above 0 (undefined: not set, not sent). */
function maxTokensOf(raw: unknown): Checked<number | undefined> {
	if (raw === undefined || raw === '') return ok(undefined);
	const value = numberOf(raw);
	if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
		return bad(`Max Tokens must be a whole number above 0, got ${JSON.stringify(raw)}`, 'Set Max Tokens to a whole number such as 1000, or remove the option for no limit.');
	}
	return ok(value);
}

/** The documented body of `POST /chat/completions`. */
export interface ChatBody extends IDataObject {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTools;
	tool_choice?: ToolChoice;
	stream: boolean;
	max_tokens?: number;
	temperature?: number;
}

/** The body keys Chat → Completion sends from its own fields, and those fields. */
const CHAT_KEYS: ReservedKeys = {
	model: 'Model',
	messages: 'Messages',
	tools: 'Tools',
	tool_choice: 'Tool Choice',
	stream: 'Stream option',
	max_tokens: 'Max Tokens option',
	temperature: 'Temperature option',
};

export interface CompletionInput {
	body: ChatBody;
	simplify: boolean;
}

/** Reads one item's Chat → Completion fields and checks them the way the API would, before anything is sent. */
export function readCompletionInput(fn: IExecuteFunctions, itemIndex: number): CompletionInput {
	const node = fn.getNode();
	const checked = <T>(result: Checked<T>): T => {
		if (!result.ok) throw inputError(node, itemIndex, result.error.problem, result.error.fix);
		return result.value;
	};

	const rawModel = fn.getNodeParameter('chatModel', itemIndex, CHAT_MODEL) as unknown;
	const model = typeof rawModel === 'string' ? rawModel.trim() : '';
	if (model === '') throw inputError(node, itemIndex, 'Model is empty', `Enter ${CHAT_MODEL} in Model (or the model name your proxy offers).`);

	const specify = fn.getNodeParameter('specifyMessages', itemIndex, 'fields') as unknown;
	const messages = checked(
		specify === 'json'
			? messagesFromJson(fn.getNodeParameter('messagesJson', itemIndex, '') as unknown)
			: messagesFromRows(fn.getNodeParameter('messages', itemIndex, {}) as unknown),
	);

	const tools = checked(parseTools(fn.getNodeParameter('tools', itemIndex, '') as unknown));
	const mode = fn.getNodeParameter('toolChoice', itemIndex, 'auto') as unknown;
	const functionName = mode === 'function' ? (fn.getNodeParameter('toolChoiceFunction', itemIndex, '') as unknown) : undefined;
	const toolChoice = checked(toolChoiceOf(mode, functionName, tools));

	const options = fn.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const temperature = checked(temperatureOf(options.temperature));
	const maxTokens = checked(maxTokensOf(options.maxTokens));
	const extra = checked(parseBodyFields(options.bodyFields, CHAT_KEYS)) as IDataObject;

	const body: ChatBody = { model, messages, stream: options.stream === true };
	if (tools.length) body.tools = tools;
	if (toolChoice !== undefined) body.tool_choice = toolChoice;
	if (maxTokens !== undefined) body.max_tokens = maxTokens;
	if (temperature !== undefined) body.temperature = temperature;
	return { body: { ...body, ...extra }, simplify: options.simplify === true };
}
